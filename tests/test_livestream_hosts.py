"""Raw host averages are confounded by slot and budget; the regression recovers the known host effects."""

import numpy as np
import pytest

from cbec.modules.livestream_analytics import hosts
from tests.livestream_fixtures import synthetic_season


@pytest.fixture(scope="module")
def season_table():
    season = synthetic_season(3, n_streams=120)
    return season, hosts.stream_table(season.events, season.streams)


def test_raw_averages_exaggerate_and_the_regression_recovers_the_host_effects(season_table):
    season, table = season_table
    truth = season.truth.host_effects
    effects = hosts.host_effects(table).table.set_index("host_id")
    poisson = hosts.host_effects(table, model="poisson", outcome="orders").table.set_index("host_id")
    for host, effect in truth.items():
        if host == 1:
            assert effects.loc[host, "effect"] == 1.0
            continue
        assert effects.loc[host, "ci_low"] <= effect <= effects.loc[host, "ci_high"], host
        assert poisson.loc[host, "effect"] == pytest.approx(effect, rel=0.1), host
    raw = hosts.raw_host_averages(table).set_index("host_id")["gmv_ratio"]
    assert raw[4] > truth[4] * 1.3 and raw[3] < truth[3] * 0.9     # the strong host got prime time and money


def test_without_confounding_raw_and_adjusted_agree_roughly():
    season = synthetic_season(8, n_streams=120, confounded_hosts=False)
    table = hosts.stream_table(season.events, season.streams)
    effects = hosts.host_effects(table, reference_host=2).table.set_index("host_id")
    assert effects.loc[4, "effect"] == pytest.approx(2.0 / 1.5, rel=0.1)
    assert effects.loc[2, "effect"] == 1.0 and np.isnan(effects.loc[2, "ci_low"])


def test_bad_inputs_are_explained(season_table):
    _, table = season_table
    zero = table.copy()
    zero.loc[0, "gmv"] = 0.0
    with pytest.raises(ValueError, match="model='poisson'"):
        hosts.host_effects(zero)
    assert hosts.host_effects(zero, model="poisson").observations == len(zero)
    with pytest.raises(ValueError, match="reference_host"):
        hosts.host_effects(table, reference_host=99)
    constant = table.assign(ad_budget_usd=50.0)
    with pytest.raises(ValueError, match="collinear.*ad_budget_usd"):
        hosts.host_effects(constant)
    with pytest.raises(ValueError, match="ad_budget_usd"):
        hosts.host_effects(table.drop(columns="ad_budget_usd"))


def test_effects_against_truth_puts_the_truth_on_the_reference_hosts_scale():
    import pandas as pd

    from cbec.modules.livestream_analytics.hosts import HostEffectsResult, effects_against_truth

    table = pd.DataFrame({"host_id": [1, 2, 3], "streams": [20, 20, 20], "effect": [1.0, 1.5, 0.5],
                          "ci_low": [np.nan, 1.2, 0.3], "ci_high": [np.nan, 1.9, 0.6], "p_value": [np.nan, 0.01, 0.02],
                          "raw_ratio": [1.0, 3.0, 0.5]})
    result = HostEffectsResult(model="poisson", outcome="orders", reference_host=1, table=table, controls=(),
                               observations=60, alpha=0.05, fit=None)
    checked = effects_against_truth(result, pd.Series({1: 2.0, 2: 3.2, 3: 1.6}))
    assert list(checked["true_effect"]) == pytest.approx([1.0, 1.6, 0.8])
    assert checked["inside"].isna().iloc[0] and list(checked["inside"].iloc[1:]) == [True, False]
    assert checked["log_error"].iloc[2] == pytest.approx(np.log(1.6))
    assert checked["raw_log_error"].iloc[1] == pytest.approx(np.log(3.0 / 1.6))
    with pytest.raises(KeyError, match="lack host"):
        effects_against_truth(result, pd.Series({1: 2.0, 2: 3.0}))
