"""Raw host averages are confounded by slot, budget and audience; the audience-cell regression recovers the
known host effects, with jackknife intervals, and cross-checks against statsmodels' own formula fit."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import stats

from cbec.modules.livestream_analytics import hosts
from cbec.modules.livestream_analytics.concurrency import watch_time
from tests.livestream_fixtures import synthetic_season


@pytest.fixture(scope="module")
def season_tables():
    season = synthetic_season(3, n_streams=120)
    return season, hosts.stream_table(season.events, season.streams), hosts.audience_cells(season.events, season.streams)


def test_raw_averages_exaggerate_and_the_regression_recovers_the_host_effects(season_tables):
    season, table, cells = season_tables
    truth = season.truth.host_effects
    effects = hosts.host_effects(cells).table.set_index("host_id")
    assert effects.loc[1, "effect"] == 1.0 and np.isnan(effects.loc[1, "ci_low"])
    for host, effect in truth.items():
        if host != 1:
            assert effects.loc[host, "ci_low"] <= effect <= effects.loc[host, "ci_high"], host
            assert effects.loc[host, "effect"] == pytest.approx(effect, rel=0.15), host
    raw = hosts.raw_host_averages(table).set_index("host_id")["gmv_ratio"]
    assert raw[4] > truth[4] * 1.3 and raw[3] < truth[3] * 0.9     # the strong host got prime time and money


def test_audience_cells_add_up_to_the_streams_watch_time_and_in_stream_orders(season_tables):
    season, table, cells = season_tables
    assert cells.groupby(["stream_id", "traffic_source"], observed=True).size().max() == 1
    assert list(cells["traffic_source"].cat.categories)[0] == "recommendation_feed"
    per_stream = cells.groupby("stream_id")[["viewer_minutes", "in_stream_orders"]].sum()
    watched = watch_time(season.events, season.streams).set_index("stream_id")["total_watch_minutes"]
    assert np.allclose(per_stream["viewer_minutes"], watched.loc[per_stream.index])
    assert (per_stream["in_stream_orders"] == table.set_index("stream_id").loc[per_stream.index,
                                                                              "in_stream_orders"]).all()
    assert {"host_id", "slot", "weekday", "ad_budget_usd"} <= set(cells.columns) and (cells["viewer_minutes"] > 0).all()


def test_point_estimates_match_a_statsmodels_formula_fit(season_tables):
    _, _, cells = season_tables
    result = hosts.host_effects(cells)
    reference = smf.glm("in_stream_orders ~ C(host_id) + C(slot) + C(weekday) + C(traffic_source)", data=cells,
                        family=sm.families.Poisson(), offset=np.log(cells["viewer_minutes"])).fit()
    for row in result.table.iloc[1:].itertuples():
        assert row.effect == pytest.approx(np.exp(reference.params[f"C(host_id)[T.{row.host_id}]"]), rel=1e-6)


def test_jackknife_intervals_are_wider_than_the_sandwich_but_of_its_order(season_tables):
    _, _, cells = season_tables
    jackknife = hosts.host_effects(cells)
    sandwich = hosts.host_effects(cells, variance="sandwich")
    reference = jackknife.fit.model.fit(cov_type="cluster", cov_kwds={"groups": cells["stream_id"].to_numpy()})
    for jack, sand in zip(jackknife.table.iloc[1:].itertuples(), sandwich.table.iloc[1:].itertuples()):
        assert jack.effect == sand.effect
        assert 1.0 < np.log(jack.ci_high / jack.ci_low) / np.log(sand.ci_high / sand.ci_low) < 1.5, jack.host_id
        assert np.log(sand.ci_high / sand.effect) == pytest.approx(
            reference.bse[f"host_{sand.host_id}"] * stats.t.ppf(0.975, jackknife.clusters - 1), rel=1e-6)
    assert jackknife.clusters == cells["stream_id"].nunique() and jackknife.observations == len(cells)
    with pytest.raises(ValueError, match="variance is one of"):
        hosts.host_effects(cells, variance="bootstrap")


def test_a_stream_table_with_stream_controls_works_too():
    season = synthetic_season(8, n_streams=120, confounded_hosts=False)
    table = hosts.stream_table(season.events, season.streams)
    effects = hosts.host_effects(table, outcome="in_stream_orders", controls=("slot", "weekday", "ad_budget_usd"),
                                 reference_host=2).table.set_index("host_id")
    assert effects.loc[4, "effect"] == pytest.approx(2.0 / 1.5, rel=0.1)
    assert effects.loc[2, "effect"] == 1.0 and np.isnan(effects.loc[2, "ci_low"])


def test_bad_inputs_are_explained(season_tables):
    _, table, cells = season_tables
    with pytest.raises(ValueError, match="reference_host"):
        hosts.host_effects(cells, reference_host=99)
    with pytest.raises(ValueError, match="collinear.*ad_budget_usd"):
        hosts.host_effects(table.assign(ad_budget_usd=50.0), controls=("slot", "ad_budget_usd"))
    with pytest.raises(ValueError, match="viewer_minutes"):
        hosts.host_effects(cells.drop(columns="viewer_minutes"))
    with pytest.raises(ValueError, match="viewer_minutes must be above 0"):
        hosts.host_effects(cells.assign(viewer_minutes=0.0))
    with pytest.raises(ValueError, match="count of 0 or more"):
        hosts.host_effects(cells.assign(in_stream_orders=-1))
    one_stream = cells[cells["stream_id"] == cells["stream_id"].min()].assign(host_id=9)
    with pytest.raises(ValueError, match="host_9.*single stream"):
        hosts.host_effects(pd.concat([cells[cells["stream_id"] != cells["stream_id"].min()], one_stream]))
    with pytest.raises(ValueError, match="only one host"):
        hosts.host_effects(cells.assign(host_id=1))


def test_effects_against_truth_puts_the_truth_on_the_reference_hosts_scale():
    from cbec.modules.livestream_analytics.hosts import HostEffectsResult, effects_against_truth

    table = pd.DataFrame({"host_id": [1, 2, 3], "streams": [20, 20, 20], "effect": [1.0, 1.5, 0.5],
                          "ci_low": [np.nan, 1.2, 0.3], "ci_high": [np.nan, 1.9, 0.6], "p_value": [np.nan, 0.01, 0.02],
                          "raw_ratio": [1.0, 3.0, 0.5]})
    result = HostEffectsResult(outcome="in_stream_orders", exposure="viewer_minutes", reference_host=1, table=table,
                               controls=(), observations=60, clusters=60, variance="jackknife",
                               alpha=0.05, fit=None)
    checked = effects_against_truth(result, pd.Series({1: 2.0, 2: 3.2, 3: 1.6}))
    assert list(checked["true_effect"]) == pytest.approx([1.0, 1.6, 0.8])
    assert checked["inside"].isna().iloc[0] and list(checked["inside"].iloc[1:]) == [True, False]
    assert checked["log_error"].iloc[2] == pytest.approx(np.log(1.6))
    assert checked["raw_log_error"].iloc[1] == pytest.approx(np.log(3.0 / 1.6))
    with pytest.raises(KeyError, match="lack host"):
        effects_against_truth(result, pd.Series({1: 2.0, 2: 3.0}))
