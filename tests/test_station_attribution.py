"""Multi-touch attribution (Independent Station): hand-computed answers for every model, the
invariants, both input routes, and agreement with DP6's marketing_attribution_models and
with ChannelAttribution on the same journeys."""

import io
import tarfile
import urllib.error

import numpy as np
import pandas as pd
import pytest

from cbec.modules.independent_station import attribution, example_paths, markov, shapley
from cbec.modules.independent_station.attribution import (compare_models, first_click, journeys_from_paths,
                                                          journeys_from_touches, last_click, linear,
                                                          position_based, score_against_truth, time_decay)
from cbec.modules.independent_station.schemas import CHANNELS

T0 = pd.Timestamp("2026-03-02 09:00")
NON_TIMED = {"last_click": last_click, "first_click": first_click, "linear": linear,
             "position_based": position_based, "markov": markov.markov, "shapley": shapley.shapley}


def paths(rows, channels=None):
    frame = pd.DataFrame(rows, columns=["path", "total_conversions", "total_conversion_value", "total_null"])
    return journeys_from_paths(frame, channels=channels)


@pytest.fixture(scope="module")
def small():
    # a>b: 2 conversions worth 20 and 1 null; a: 1 conversion worth 5, 3 nulls; b>a>a: 1 worth 10; c: 2 nulls
    return paths([("a > b", 2, 20.0, 1), ("a", 1, 5.0, 3), ("b > a > a", 1, 10.0, 0), ("c", 0, 0.0, 2)])


def shares(frame):
    return frame.set_index("channel")["attributed_conversions"].to_dict()


def random_touches(seed, n_journeys=4000, channels=CHANNELS[:5], max_length=6):
    """Touch and outcome tables: random paths, converting more often when channel 0 is on them."""
    rng = np.random.default_rng(seed)
    length = rng.integers(1, max_length + 1, n_journeys)
    journey = np.repeat(np.arange(n_journeys), length)
    code = rng.choice(len(channels), size=len(journey), p=np.linspace(2, 1, len(channels)) / np.linspace(
        2, 1, len(channels)).sum())
    hours = rng.uniform(0, 600, len(journey))
    touches = pd.DataFrame({"journey_id": journey + 100, "timestamp": T0 + pd.to_timedelta(hours, unit="h"),
                            "channel": np.asarray(channels)[code]})
    has_first = np.bincount(journey, weights=code == 0, minlength=n_journeys) > 0
    converted = rng.random(n_journeys) < 0.08 + 0.15 * has_first + 0.03 * length
    last = touches.groupby("journey_id")["timestamp"].max().to_numpy()
    outcomes = pd.DataFrame({"journey_id": np.arange(n_journeys) + 100, "converted": converted,
                             "value": np.where(converted, rng.gamma(2.0, 30.0, n_journeys), 0.0),
                             "converted_at": pd.Series(last + pd.to_timedelta(rng.uniform(0, 72, n_journeys),
                                                                              unit="h")).where(converted)})
    return touches.sample(frac=1, random_state=seed).reset_index(drop=True), outcomes


@pytest.fixture(scope="module")
def simulated():
    return journeys_from_touches(*random_touches(5), channels=CHANNELS[:5])


# -- hand-computed answers ------------------------------------------------------------------------

def test_heuristics_by_hand(small):
    assert small.total_conversions == 4 and small.weight.sum() == 10
    assert shares(last_click(small)) == {"a": 2, "b": 2, "c": 0}
    assert shares(first_click(small)) == {"a": 3, "b": 1, "c": 0}
    assert shares(linear(small)) == pytest.approx({"a": 1 + 1 + 2 / 3, "b": 1 + 1 / 3, "c": 0})
    # a>b 50/50; a alone 100%; b>a>a: 40% b, 20% + 40% a
    assert shares(position_based(small)) == pytest.approx({"a": 1 + 1 + 0.6, "b": 1 + 0.4, "c": 0})
    values = last_click(small).set_index("channel")["attributed_value"]
    assert values.to_dict() == {"a": 15.0, "b": 20.0, "c": 0.0}


def test_markov_by_hand(small):
    # start: a 7/10, b 1/10, c 2/10; a: b 3/8, conv 2/8, null 3/8; b: a 1/4, conv 2/4, null 1/4
    # h_a = 3/8 h_b + 1/4, h_b = 1/4 h_a + 1/2 -> P(conv) = .7 h_a + .1 h_b = 0.4
    # without a: .1 x 1/2 = .05 -> 1 - .05/.4 = .875; without b: .7 x 1/4 = .175 -> .5625
    result = markov.markov(small).set_index("channel")
    assert result.attrs["conversion_probability"] == pytest.approx(0.4)
    assert result["removal_effect"].tolist() == pytest.approx([0.875, 0.5625, 0.0])
    total = 0.875 + 0.5625
    assert result["attributed_conversions"].tolist() == pytest.approx([4 * 0.875 / total, 4 * 0.5625 / total, 0])
    matrix = markov.transition_matrix(small)
    assert matrix.loc["(start)", ["a", "b", "c"]].tolist() == pytest.approx([0.7, 0.1, 0.2])
    assert matrix.loc["a", ["b", "(conversion)", "(null)"]].tolist() == pytest.approx([3 / 8, 2 / 8, 3 / 8])
    assert matrix.loc["a", "a"] == 0      # b > a > a adds no a -> a without self-transitions


def test_markov_value_uses_the_value_of_conversions_from_each_last_channel(small):
    # conversions from a are worth 15 / 2 = 7.5 each, from b 20 / 2 = 10
    # E[value] = .7 g_a + .1 g_b with g_a = 3/8 g_b + 2/8 x 7.5, g_b = 1/4 g_a + 2/4 x 10
    g_a = (3 / 8 * 5 + 2 / 8 * 7.5) / (1 - 3 / 8 / 4)
    g_b = g_a / 4 + 5
    result = markov.markov(small).set_index("channel")
    assert result.attrs["expected_value"] == pytest.approx(0.7 * g_a + 0.1 * g_b)
    without_a, without_b = 0.1 * 5, 0.7 * 2 / 8 * 7.5
    expected = [1 - without_a / (0.7 * g_a + 0.1 * g_b), 1 - without_b / (0.7 * g_a + 0.1 * g_b)]
    assert result["value_removal_effect"].tolist()[:2] == pytest.approx(expected)
    assert result["attributed_value"].sum() == pytest.approx(35.0)


def test_shapley_by_hand(small):
    # subset: {a,b} converts 3 times (shared half and half), {a} once
    assert shares(shapley.shapley(small)) == pytest.approx({"a": 2.5, "b": 1.5, "c": 0})
    # exact (mam): game {a,b} with v(a) = 1, v(b) = 0, v(ab) = 3: a = (1 + 3) / 2, b = (0 + 2) / 2; game {a}: a = 1
    assert shares(shapley.shapley(small, coalition_value="exact")) == pytest.approx({"a": 3, "b": 1, "c": 0})
    # exact_rate: rates {a,b} 3/4 (of 4 journeys), {a} 1/4 (of 4): game {a,b} gives a (1/4 + 3/4) / 2 and
    # b (3/4 - 1/4) / 2, times its 4 journeys; game {a} gives a 1/4 x 4
    rate = shapley.shapley(small, coalition_value="exact_rate")
    assert shares(rate) == pytest.approx({"a": 4 * (0.25 + 0.75) / 2 + 1, "b": 4 * (0.75 - 0.25) / 2, "c": 0})


def test_shapley_zeta_transform_and_weights():
    values = np.arange(8.0)
    assert shapley.subset_sums(values)[0b101] == values[0b000] + values[0b001] + values[0b100] + values[0b101]
    assert shapley.superset_sums(values)[0b010] == values[0b010] + values[0b011] + values[0b110] + values[0b111]
    assert shapley.shapley_weights(3).tolist() == pytest.approx([1 / 3, 1 / 6, 1 / 3])
    # glove game: v = 1 when player 0 and one of players 1, 2 are in: Shapley (2/3, 1/6, 1/6)
    v = np.array([0, 0, 0, 1, 0, 1, 0, 1], dtype=float)
    assert shapley.shapley_values(v).tolist() == pytest.approx([2 / 3, 1 / 6, 1 / 6])


def test_time_decay_by_hand():
    touches = pd.DataFrame({"journey_id": [1, 1, 2, 2], "channel": ["email", "direct", "email", "direct"],
                            "timestamp": [T0, T0 + pd.Timedelta(days=7), T0, T0 + pd.Timedelta(days=7)]})
    conversion = T0 + pd.Timedelta(days=7)
    outcomes = pd.DataFrame({"journey_id": [1, 2], "converted": [True, True], "value": [30.0, 60.0],
                             "converted_at": [conversion, conversion + pd.Timedelta(days=20_000)]})
    journeys = journeys_from_touches(touches, outcomes)
    assert journeys.hours_before_conversion[:2].tolist() == [168, 0]
    result = time_decay(journeys).set_index("channel")   # weights 1/2 and 1 in both (the 2nd 55 years old)
    assert result.loc[["email", "direct"], "attributed_conversions"].tolist() == pytest.approx([2 / 3, 4 / 3])
    assert result.loc[["email", "direct"], "attributed_value"].tolist() == pytest.approx([30.0, 60.0])
    one_day = time_decay(journeys, half_life_hours=24).set_index("channel")
    assert one_day.loc["email", "attributed_conversions"] == pytest.approx(2 * 2**-7 / (1 + 2**-7))


def test_one_touch_journeys_go_wholly_to_their_channel():
    journeys = paths([("email", 3, 30.0, 1), ("direct", 1, 5.0, 0)])
    for name, model in NON_TIMED.items():
        assert shares(model(journeys)) == pytest.approx({"direct": 1, "email": 3}), name
    assert shares(position_based(paths([("email > direct", 1, 1.0, 0)]))) == {"direct": 0.5, "email": 0.5}


def test_repeated_channels():
    journeys = paths([("email > email > direct", 1, 9.0, 0), ("email > direct", 0, 0.0, 2)])
    assert shares(linear(journeys)) == pytest.approx({"direct": 1 / 3, "email": 2 / 3})   # per touch
    assert shares(shapley.shapley(journeys)) == pytest.approx({"direct": 0.5, "email": 0.5})   # per channel
    assert shares(position_based(journeys)) == pytest.approx({"direct": 0.4, "email": 0.6})
    with_loops = markov.transition_matrix(journeys, self_transitions=True)
    assert with_loops.loc["email", "email"] == pytest.approx(1 / 4)
    assert markov.transition_matrix(journeys).loc["email", "email"] == 0


def test_self_transitions_change_the_matrix_but_not_the_removal_effects(simulated):
    without, with_loops = markov.markov(simulated), markov.markov(simulated, self_transitions=True)
    np.testing.assert_allclose(without["removal_effect"], with_loops["removal_effect"], rtol=1e-10)
    np.testing.assert_allclose(without["value_removal_effect"], with_loops["value_removal_effect"], rtol=1e-10)
    assert without.attrs["conversion_probability"] == pytest.approx(with_loops.attrs["conversion_probability"])


def test_no_conversions_is_refused_by_every_model():
    journeys = paths([("email > direct", 0, 0.0, 4), ("direct", 0, 0.0, 1)])
    for name, model in NON_TIMED.items():
        with pytest.raises(ValueError, match="no journey converted"):
            model(journeys)


def test_unknown_channels_are_named():
    touches = pd.DataFrame({"journey_id": [1, 1], "timestamp": [T0, T0], "channel": ["email", "tiktok"]})
    outcomes = pd.DataFrame({"journey_id": [1], "converted": [False], "value": [0.0], "converted_at": [pd.NaT]})
    with pytest.raises(ValueError, match=r"outside the vocabulary: \['tiktok'\].*channels=") as error:
        journeys_from_touches(touches, outcomes)
    assert "paid_search" in str(error.value)
    assert journeys_from_touches(touches, outcomes, channels=["email", "tiktok"]).channels == ("email", "tiktok")
    with pytest.raises(ValueError, match=r"\['gamma'\]"):
        paths([("alpha > gamma", 1, 1.0, 0)], channels=["alpha", "beta"])


def test_shapley_refuses_more_than_fifteen_channels():
    names = [f"c{i:02d}" for i in range(16)]
    journeys = paths([(" > ".join(names), 1, 1.0, 0)])
    with pytest.raises(ValueError, match="16 channels.*at most 15"):
        shapley.shapley(journeys)
    assert shapley.shapley(paths([(" > ".join(names[:15]), 1, 1.0, 0)]))["share"].sum() == pytest.approx(1)
    with pytest.raises(ValueError, match="coalition_value is one of"):
        shapley.shapley(journeys, coalition_value="superset")


def test_time_decay_needs_touch_times(small):
    with pytest.raises(ValueError, match="aggregated paths carry no times.*journeys_from_touches"):
        time_decay(small)
    assert "time_decay" not in compare_models(small).columns


# -- the input routes ------------------------------------------------------------------------------

def test_bad_tables_are_refused_with_the_fix():
    touches = pd.DataFrame({"journey_id": [1, 1, 2], "timestamp": [T0, T0 + pd.Timedelta(hours=5), T0],
                            "channel": ["email", "direct", "email"]})
    outcomes = pd.DataFrame({"journey_id": [1, 2], "converted": [True, False], "value": [10.0, 0.0],
                             "converted_at": [T0 + pd.Timedelta(hours=1), pd.NaT]})
    with pytest.raises(ValueError, match=r"journey\(s\) \[1\] have touches after their converted_at"):
        journeys_from_touches(touches, outcomes)
    with pytest.raises(ValueError, match=r"journey\(s\) \[2\] have no row in outcomes"):
        journeys_from_touches(touches, outcomes.iloc[:1].assign(converted_at=T0 + pd.Timedelta(hours=6)))
    with pytest.raises(ValueError, match="more than once"):
        journeys_from_touches(touches, pd.concat([outcomes, outcomes]))
    with pytest.raises(ValueError, match="missing column"):
        journeys_from_touches(touches.drop(columns="timestamp"), outcomes)
    with pytest.raises(ValueError, match="did not convert but have a value"):
        journeys_from_touches(touches, outcomes.assign(value=5.0, converted_at=T0 + pd.Timedelta(hours=6)))
    with pytest.raises(ValueError, match="empty path"):
        journeys_from_paths(pd.DataFrame({"path": ["email", ""], "total_conversions": [1, 1],
                                          "total_conversion_value": [1.0, 1.0], "total_null": [0, 0]}))
    with pytest.raises(ValueError, match="whole numbers"):
        journeys_from_paths(pd.DataFrame({"path": ["email"], "total_conversions": [1.5],
                                          "total_conversion_value": [1.0], "total_null": [0]}))


def test_touches_are_ordered_and_untouched_journeys_counted():
    touches = pd.DataFrame({"journey_id": [7, 7, 7], "channel": ["direct", "email", "affiliate"],
                            "timestamp": [T0 + pd.Timedelta(hours=2), T0, T0 + pd.Timedelta(hours=1)]})
    outcomes = pd.DataFrame({"journey_id": [7, 8, 9], "converted": [True, True, False], "value": [10.0, 4.0, 0.0],
                             "converted_at": [T0 + pd.Timedelta(hours=3), T0, pd.NaT]})
    journeys = journeys_from_touches(touches, outcomes)
    assert [journeys.channels[c] for c in journeys.codes] == ["email", "affiliate", "direct"]
    assert journeys.hours_before_conversion.tolist() == [3, 2, 1]
    assert (journeys.untouched_journeys, journeys.untouched_conversions, journeys.untouched_value) == (2, 1, 4.0)
    assert "2 untouched journeys left out" in repr(journeys)
    assert not journeys.codes.flags.writeable


def test_touches_and_paths_routes_agree(simulated):
    # the same journeys as touches and as aggregated paths
    names = np.asarray(simulated.channels)[simulated.codes]
    frame = (pd.DataFrame({"journey": simulated.journey_of_touch, "channel": names})
             .groupby("journey")["channel"].agg(" > ".join).to_frame("path"))
    frame["converted"], frame["value"] = simulated.converted, simulated.total_value
    grouped = frame.groupby("path").agg(total_conversions=("converted", "sum"),
                                        total_conversion_value=("value", "sum"),
                                        total_null=("converted", lambda c: (~c).sum())).reset_index()
    aggregated = journeys_from_paths(grouped, channels=simulated.channels)
    assert aggregated.n_journeys < simulated.n_journeys and aggregated.weight.sum() == simulated.n_journeys
    models = {**NON_TIMED, "exact": lambda j: shapley.shapley(j, coalition_value="exact"),
              "exact_rate": lambda j: shapley.shapley(j, coalition_value="exact_rate")}
    for name, model in models.items():
        pd.testing.assert_frame_equal(model(aggregated), model(simulated), rtol=1e-9, obj=name)


# -- invariants ------------------------------------------------------------------------------------

def test_every_model_shares_out_exactly_the_conversions_and_value(simulated):
    total_value = simulated.total_value.sum()
    models = {**NON_TIMED, "time_decay": time_decay,
              "exact": lambda j: shapley.shapley(j, coalition_value="exact"),
              "exact_rate": lambda j: shapley.shapley(j, coalition_value="exact_rate")}
    for name, model in models.items():
        result = model(simulated)
        assert result.columns[:4].tolist() == list(attribution.RESULT_COLUMNS), name
        assert result["channel"].tolist() == list(simulated.channels), name
        assert result["share"].sum() == pytest.approx(1), name
        assert result["attributed_conversions"].sum() == pytest.approx(simulated.total_conversions), name
        assert result["attributed_value"].sum() == pytest.approx(total_value), name
    assert (markov.markov(simulated)["removal_effect"].sum()) > 1     # not normalised: channels per conversion


def test_subset_shapley_is_linear_over_distinct_channels(simulated):
    # v(S) = conversions of journeys inside S is a sum of unanimity games: each conversion split
    # equally among the distinct channels of its journey
    journey = simulated.journey_of_touch
    first_of_channel = ~pd.DataFrame({"j": journey, "c": simulated.codes}).duplicated().to_numpy()
    distinct = np.bincount(journey[first_of_channel], minlength=simulated.n_journeys)
    keep = first_of_channel & simulated.converted[journey]
    expected = np.bincount(simulated.codes[keep], weights=1 / distinct[journey[keep]], minlength=5)
    np.testing.assert_allclose(shapley.shapley(simulated)["attributed_conversions"], expected, rtol=1e-10)


def test_compare_and_score_against_truth(simulated):
    table = compare_models(simulated)
    assert table.columns.tolist() == list(attribution.MODELS) and table.index.tolist() == list(simulated.channels)
    np.testing.assert_allclose(table.sum(), 1.0)
    truth = table["markov"].copy()
    scores = score_against_truth(table, truth)
    assert scores.iloc[0]["model"] == "markov" and scores.iloc[0]["distance"] == pytest.approx(0)
    assert scores["rank"].tolist() == list(range(1, len(table.columns) + 1))
    assert scores["distance"].is_monotonic_increasing and scores.iloc[0]["rank_correlation"] == pytest.approx(1)
    uniform = pd.Series(1 / 5, index=table.index)
    expected = (table["last_click"] - 0.2).abs().sum() / 2
    assert score_against_truth(table, uniform).set_index("model").loc["last_click", "distance"] == pytest.approx(
        expected)
    with pytest.raises(ValueError, match="summing to 1"):
        score_against_truth(table, truth * 3)
    with pytest.raises(ValueError, match="missing from true_shares"):
        score_against_truth(table, truth.iloc[:3] / truth.iloc[:3].sum())
    with pytest.raises(ValueError, match="unknown model"):
        compare_models(simulated, models=["markvo"])


# -- DP6's marketing_attribution_models (mam) on the same journeys ------------------------------------

def mam_journeys(journeys, value):
    """The journeys in mam's "journey" format: one row each, path and hours joined by ' > '."""
    mam = pytest.importorskip("mam", reason="DP6's marketing_attribution_models is in the test extra: "
                                            "pip install -e '.[test]'")
    hours = np.nan_to_num(journeys.hours_before_conversion)    # non-converting journeys get no credit anyway
    touches = pd.DataFrame({"journey_id": journeys.journey_of_touch,
                            "channel": np.asarray(journeys.channels)[journeys.codes], "hours": hours.astype(str)})
    frame = touches.groupby("journey_id").agg(path=("channel", " > ".join), hours=("hours", " > ".join))
    frame["has_conversion"], frame["value"] = journeys.converted, journeys.total_value
    return mam.MAM(frame.reset_index(), "journey", "path", "has_conversion", user_id_colname="journey_id",
                   time_till_conv_colname="hours", conversion_value_colname="value" if value else None)


@pytest.fixture(scope="module")
def mam_models(simulated):
    return mam_journeys(simulated, value=False), mam_journeys(simulated, value=True)


def mam_credit(result, channels):
    return result.to_pandas().set_index("channels")["attribution"].reindex(list(channels)).fillna(0.0).to_numpy()


@pytest.mark.parametrize("name", ["last_click", "first_click", "linear", "position_based", "time_decay"])
def test_heuristics_agree_with_mam(simulated, mam_models, name):
    mine = {**NON_TIMED, "time_decay": time_decay}[name](simulated)
    for mam_model, column in zip(mam_models, ("attributed_conversions", "attributed_value")):
        theirs = mam_credit(getattr(mam_model, f"run_{name}")(), simulated.channels)
        np.testing.assert_allclose(mine[column], theirs, rtol=1e-9, err_msg=f"{name} {column}")


@pytest.mark.parametrize("self_transitions", [False, True])
def test_markov_removal_effects_agree_with_mam(simulated, mam_models, self_transitions):
    result = mam_models[0].run_markov(transition_to_same_state=self_transitions)
    theirs = result.metadata["removal_effect"]["removal_effect"].reindex(list(simulated.channels))
    mine = markov.markov(simulated, self_transitions=self_transitions)
    np.testing.assert_allclose(mine["removal_effect"], theirs, rtol=1e-9, atol=1e-12)
    # mam's attribution differs by design: it shares each journey among its own touches in
    # proportion to their channels' removal effects (a touch each), where we (and
    # ChannelAttribution) share the total in proportion to the removal effects.
    effect = mine["removal_effect"].to_numpy()[simulated.codes]
    journey = simulated.journey_of_touch
    in_journey = np.bincount(journey, weights=effect)[journey]
    per_touch = np.divide(effect, in_journey, out=np.zeros_like(effect), where=in_journey > 0)
    per_touch *= simulated.conversions[journey]
    np.testing.assert_allclose(mam_credit(result, simulated.channels),
                               np.bincount(simulated.codes, weights=per_touch, minlength=5), rtol=1e-9)
    assert not np.allclose(mam_credit(result, simulated.channels), mine["attributed_conversions"], rtol=1e-3)


@pytest.mark.parametrize("coalition_value, value_column", [("exact", "conversions"), ("exact_rate", "conv_rate")])
def test_shapley_agrees_with_mam(simulated, mam_models, coalition_value, value_column):
    mine = shapley.shapley(simulated, coalition_value=coalition_value)
    conversions = mam_models[0].run_shapley(max_size=None, value_column=value_column)
    np.testing.assert_allclose(mine["attributed_conversions"], mam_credit(conversions, simulated.channels),
                               rtol=1e-9)
    value_column = "conversion_value" if value_column == "conversions" else value_column
    value = mam_models[1].run_shapley(max_size=None, value_column=value_column)
    np.testing.assert_allclose(mine["attributed_value"], mam_credit(value, simulated.channels), rtol=1e-9)


# -- ChannelAttribution on its own example paths --------------------------------------------------------

@pytest.fixture(scope="module")
def example():
    try:
        frame = example_paths.channelattribution_paths()
    except example_paths.ExampleDataUnavailable as error:
        pytest.skip(f"the package index is unreachable, so ChannelAttribution's Data.csv cannot be fetched: {error}")
    return frame, journeys_from_paths(frame)


@pytest.fixture(scope="module")
def channelattribution():
    return pytest.importorskip("ChannelAttribution", reason="ChannelAttribution is in the test extra (it builds C++ "
                                                            "with a compiler): pip install -e '.[test]'")


def test_example_paths_download_and_cache(example, tmp_path, monkeypatch):
    frame, journeys = example
    assert frame.shape == (10_000, 4) and len(journeys.channels) == 12
    assert journeys.total_conversions == frame["total_conversions"].sum()
    assert (example_paths.cache_folder() / "Data.csv").is_file()
    try:    # a real download from the package index into an empty folder, checked against the recorded SHA-256
        fresh = example_paths.channelattribution_paths(cache_dir=tmp_path)
    except example_paths.ExampleDataUnavailable as error:
        pytest.skip(f"the package index is unreachable: {error}")
    pd.testing.assert_frame_equal(fresh, frame)
    assert [p.name for p in tmp_path.iterdir()] == ["Data.csv"]     # only the CSV is kept, nothing else extracted

    def offline(*args, **kwargs):
        raise AssertionError("a cached copy must not be downloaded again")

    monkeypatch.setattr(example_paths.urllib.request, "urlopen", offline)
    pd.testing.assert_frame_equal(example_paths.channelattribution_paths(cache_dir=tmp_path), frame)


def test_heuristics_agree_with_channelattribution_exactly(example, channelattribution):
    frame, journeys = example
    theirs = channelattribution.heuristic_models(frame, "path", "total_conversions", var_value="total_conversion_value",
                                                 sep=">", flg_pro=False).set_index("channel_name")
    for model, name in [(first_click, "first_touch"), (last_click, "last_touch"), (linear, "linear_touch")]:
        mine = model(journeys).set_index("channel").reindex(theirs.index)
        np.testing.assert_allclose(mine["attributed_conversions"], theirs[f"{name}_conversions"], rtol=1e-12)
        np.testing.assert_allclose(mine["attributed_value"], theirs[f"{name}_value"], rtol=1e-12)


def test_markov_agrees_with_channelattributions_simulation(example, channelattribution):
    frame, journeys = example
    simulations, folds = 1_000_000, 10
    theirs = channelattribution.markov_model(frame, "path", "total_conversions", var_value="total_conversion_value",
                                             var_null="total_null", out_more=True, sep=">", nsim_start=simulations,
                                             nfold=folds, max_step=1000, seed=1, verbose=False, flg_pro=False)
    mine = markov.markov(journeys).set_index("channel")
    effects = theirs["removal_effects"].set_index("channel_name").reindex(mine.index)
    result = theirs["result"].set_index("channel_name").reindex(mine.index)
    # their removal effect is the share of simulated converting walks visiting the channel, from
    # one fold of simulations / folds walks: binomial error on about P(conversion) x that many
    converting = mine.attrs["conversion_probability"] * simulations / folds
    error = np.sqrt(mine["removal_effect"] * (1 - mine["removal_effect"]) / converting)
    assert (np.abs(effects["removal_effects_conversion"] - mine["removal_effect"]) <= 4 * error + 1e-4).all()
    assert np.abs(effects["removal_effects_conversion_value"] - mine["value_removal_effect"]).max() < 0.015
    their_share = result["total_conversions"] / result["total_conversions"].sum()
    assert (their_share - mine["share"]).abs().sum() / 2 < 0.01
    value_share = result["total_conversion_value"] / result["total_conversion_value"].sum()
    assert (value_share - mine["attributed_value"] / mine["attributed_value"].sum()).abs().sum() / 2 < 0.02


def fake_archive(csv: bytes) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo(example_paths.MEMBER)
        info.size = len(csv)
        tar.addfile(info, io.BytesIO(csv))
    return buffer.getvalue()


def test_example_paths_offline_and_tampered(tmp_path, monkeypatch):
    def offline(*args, **kwargs):
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(example_paths.urllib.request, "urlopen", offline)
    with pytest.raises(example_paths.ExampleDataUnavailable, match="no network.*Connect.*archive="):
        example_paths.channelattribution_paths(cache_dir=tmp_path / "cache", index_url="https://index.invalid/simple")
    archive = tmp_path / example_paths.ARCHIVE
    archive.write_bytes(fake_archive(b"path;total_conversions;total_conversion_value;total_null\na;1;1.0;0\n"))
    with pytest.raises(ValueError, match="SHA-256 .* not ChannelAttribution"):
        example_paths.channelattribution_paths(cache_dir=tmp_path / "cache", archive=archive)
    assert not (tmp_path / "cache" / "Data.csv").exists()


# -- looking at the journeys --------------------------------------------------------------------------

def test_paths_from_journeys_inverts_journeys_from_paths(small, simulated):
    table = attribution.paths_from_journeys(small)
    assert table.to_dict("list") == {"path": ["a", "a > b", "c", "b > a > a"], "total_conversions": [1, 2, 0, 1],
                                     "total_conversion_value": [5.0, 20.0, 0.0, 10.0], "total_null": [3, 1, 2, 0],
                                     "journeys": [4, 3, 2, 1]}
    paths = attribution.paths_from_journeys(simulated)
    assert paths["journeys"].sum() == simulated.n_journeys and paths["path"].is_unique
    again = journeys_from_paths(paths, channels=simulated.channels)
    for name, model in NON_TIMED.items():
        pd.testing.assert_frame_equal(model(again), model(simulated), check_exact=False, rtol=1e-9, obj=name)
    with pytest.raises(ValueError, match="cannot be empty"):
        attribution.paths_from_journeys(small, sep="")


def test_first_and_last_touch_adds_up_to_first_and_last_click(small, simulated):
    table = attribution.first_and_last_touch(small)
    # a > b: 2 conversions (first a, last b); a: 1 (a, a); b > a > a: 1 (b, a)
    assert table.loc["a", "b"] == 2 and table.loc["a", "a"] == 1 and table.loc["b", "a"] == 1
    assert table.to_numpy().sum() == 4
    big = attribution.first_and_last_touch(simulated)
    np.testing.assert_allclose(big.sum(axis=1), first_click(simulated)["attributed_conversions"])
    np.testing.assert_allclose(big.sum(axis=0), last_click(simulated)["attributed_conversions"])
