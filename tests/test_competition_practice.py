"""Practice seasons: week-by-week play is the graded game slowed down (the same store as
``play_season``), the log events say where money was lost, and mistakes get clear errors."""

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from cbec.modules.competition import (Decisions, SeasonConfig, StrategyError, baseline, greedy, naive,
                                      play_season)
from cbec.modules.competition.practice import (PUBLIC_SEEDS, REFERENCES, ROUND_EVENT_FIELDS, SEASON_EVENT_FIELDS,
                                               PracticeSeason, SeasonOver, decisions_from_table)
from cbec.modules.competition.strategies import margin_before_ads

CONFIG = SeasonConfig(seed=3)


def _frames_equal(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], check_exact=True, obj=name)


def cautious(view):
    """A student's rule: 5% under the competitors, small ads, restock what sold last week."""
    sold = view.history["units"][-1] if view.week else np.zeros(view.on_hand.shape)
    return Decisions(price=np.round(np.maximum(view.competitor_price * 0.95, 0.8 * view.facts.list_price), 2),
                     ad_budget=15.0, bid=0.4, inbound=sold, deal=bool(view.facts.events[view.week]))


def test_public_seeds_are_a_documented_range():
    assert PUBLIC_SEEDS == range(1, 1001)
    for bad in (0, 1001, -3, 2.5, True, "7"):
        with pytest.raises(ValueError, match="not a public practice seed.*1 to 1000"):
            PracticeSeason(seed=bad)


def test_week_by_week_play_is_play_season_with_the_same_decisions():
    practice = PracticeSeason(seed=17, config=CONFIG)
    while not practice.over:
        practice.play(cautious(practice.view))
    alone = play_season(cautious, CONFIG, seed=17)
    _frames_equal(practice.reports(), alone.reports())
    _frames_equal(practice.result().reports(), alone.reports())
    assert practice.profit == pytest.approx(alone.profit()[0], abs=1e-9)
    assert list(practice.summary()["decided_by"]) == ["you"] * CONFIG.weeks


def test_by_hand_then_a_strategy_is_one_season():
    practice = PracticeSeason(seed=5, config=CONFIG)
    for _ in range(4):
        practice.play(cautious(practice.view))
    event = practice.play_rest(baseline)
    mixed = play_season(lambda view: cautious(view) if view.week < 4 else baseline(view), CONFIG, seed=5)
    _frames_equal(practice.reports(), mixed.reports())
    assert event["kind"] == "practice_season" and event["profit"] == pytest.approx(mixed.profit()[0], abs=0.005)
    assert list(practice.summary()["decided_by"]) == ["you"] * 4 + ["baseline"] * (CONFIG.weeks - 4)


def test_the_decisions_table_is_last_weeks_decisions_and_plays():
    practice = PracticeSeason(seed=2, config=CONFIG)
    table = practice.decisions_table()
    facts = practice.facts
    assert list(table.index.names) == ["product", "market"] and len(table) == facts.list_price.size
    assert (table["price"].to_numpy() == facts.list_price.ravel()).all()
    assert (table[["ad_budget", "bid", "inbound"]].to_numpy() == 0).all() and not table["deal"].any()
    table.loc[(facts.products[1], facts.markets[2]), ["price", "ad_budget", "bid", "inbound"]] = [30.0, 40.0, 0.9, 12]
    practice.play(table)
    again = practice.decisions_table()
    assert again.loc[(facts.products[1], facts.markets[2]), "price"] == 30.0
    assert again.loc[(facts.products[1], facts.markets[2]), "inbound"] == 12
    business = practice.reports()["business_report"].set_index(["product", "market"])
    assert business.loc[(facts.products[1], facts.markets[2]), "price"] == 30.0
    # a table in any row order, product and market as columns, plays the same decisions
    shuffled = table.reset_index().sample(frac=1.0, random_state=0)
    decided = decisions_from_table(shuffled, facts)
    assert np.array_equal(np.asarray(decided.price, float), table["price"].to_numpy().reshape(facts.list_price.shape))


def test_the_log_gets_json_events_that_match_the_reports():
    events = []
    config = replace(CONFIG, initial_units=40)           # stock-outs happen
    practice = PracticeSeason(seed=9, config=config, log=events.append)
    practice.play(greedy(practice.view))
    assert [e["kind"] for e in events] == ["practice_round"]
    practice.play_rest(greedy)                               # ads that lose money, stock-outs
    assert [e["kind"] for e in events] == ["practice_round"] * config.weeks + ["practice_season"]
    assert json.loads(json.dumps(events)) == events           # plain JSON-able data
    assert all(tuple(e) == ROUND_EVENT_FIELDS for e in events[:-1]) and tuple(events[-1]) == SEASON_EVENT_FIELDS

    reports = practice.reports()
    inventory, ads, pnl = reports["inventory_report"], reports["advertising_report"], reports["profit_and_loss"]
    health = reports["account_health"]
    contribution = pnl["revenue"] - pnl["refunds"] - pnl["referral_fees"] - pnl["fulfilment_fees"] - pnl["cost_of_goods"]
    ad_margin = (contribution / pnl["units_sold"].where(pnl["units_sold"] > 0) * ads["ad_units"]).fillna(0.0)
    for event in events[:-1]:
        week = event["week"]
        this = pnl["week"] == week
        assert event["seed"] == 9 and event["weeks"] == config.weeks and event["world_seed"] == config.seed
        assert event["profit"] == pytest.approx(health.loc[week, "store_profit"], abs=0.005)
        assert event["lost_units"] == inventory.loc[this, "lost_units"].sum()
        assert event["stockout_lines"] == inventory.loc[this, "stocked_out"].sum() == len(event["stockouts"])
        assert event["ad_spend"] == pytest.approx(ads.loc[this, "spend"].sum(), abs=0.005)
        assert event["ad_sales"] == pytest.approx(ads.loc[this, "ad_sales"].sum(), abs=0.01)
        assert event["ad_gross_margin"] == pytest.approx(ad_margin[this].sum(), abs=0.01)
        assert event["ad_profit"] == pytest.approx(event["ad_gross_margin"] - event["ad_spend"], abs=0.01)
        losing = this & (ads["spend"] > ad_margin + 0.005)
        assert event["losing_ad_lines"] == losing.sum() == len(event["losing_ads"])
        assert {(x["product"], x["market"]) for x in event["losing_ads"]} == \
            set(zip(ads.loc[losing, "product"], ads.loc[losing, "market"]))
        margin = margin_before_ads(practice.facts, pnl.loc[this, "price_paid"].to_numpy().reshape(4, 3)).ravel()
        lost = inventory.loc[this, "lost_units"].to_numpy()
        assert event["lost_margin"] == pytest.approx((lost * np.maximum(margin, 0)).sum(), abs=0.01)
    assert sum(e["stockout_lines"] for e in events[:-1]) > 0 and sum(e["losing_ad_lines"] for e in events[:-1]) > 0
    season = events[-1]
    assert season["profit"] == pytest.approx(play_season(greedy, config, seed=9).profit()[0], abs=0.005)
    assert season["weeks"] == config.weeks and season["decided_by"] == ["greedy", "you"]
    assert season["lost_units"] == inventory["lost_units"].sum()
    assert season["reference_profit"] == {
        name: pytest.approx(play_season(fn, config, seed=9).profit()[0], abs=0.005) for name, fn in REFERENCES.items()}


def test_the_scorecard_compares_the_same_weeks_of_the_same_seed():
    practice = PracticeSeason(seed=4, config=CONFIG)
    for _ in range(3):
        practice.play(naive(practice.view))
    card = practice.scorecard()
    assert list(card.index) == ["you", "naive", "greedy", "baseline"] and (card["weeks"] == 3).all()
    assert card.loc["you", "profit"] == pytest.approx(card.loc["naive", "profit"], abs=0.005)  # the same decisions
    base = play_season(baseline, CONFIG, seed=4).reports()["account_health"]
    assert card.loc["baseline", "profit"] == pytest.approx(base["store_profit"][:3].sum(), abs=0.01)
    assert card.loc["baseline", "profit_vs_you"] == pytest.approx(card.loc["baseline", "profit"] - practice.profit,
                                                                  abs=0.01)
    practice.play_rest(naive)
    assert practice.scorecard().loc["naive", "profit"] == pytest.approx(
        play_season(naive, CONFIG, seed=4).profit()[0], abs=0.005)


def test_bad_decisions_name_the_week_the_product_and_the_market():
    practice = PracticeSeason(seed=3, config=CONFIG)
    practice.play(naive(practice.view))
    facts = practice.facts
    price = facts.list_price.copy()
    price[2, 1] = -5
    with pytest.raises(ValueError, match=rf"week 1: Decisions.price for product '{facts.products[2]}' in market "
                                         rf"'{facts.markets[1]}' is -5.0"):
        practice.play(Decisions(price=price))
    with pytest.raises(TypeError, match="week 1: a strategy must return Decisions"):
        practice.play({"price": 20.0})
    table = practice.decisions_table()
    with pytest.raises(ValueError, match=rf"no row for product '{facts.products[0]}' in market '{facts.markets[0]}'"):
        practice.play(table.iloc[1:])
    with pytest.raises(ValueError, match=r"no column\(s\) \['bid'\]"):
        practice.play(table.drop(columns="bid"))
    with pytest.raises(ValueError, match="week 1: Decisions.inbound .* whole number"):
        practice.play(table.assign(inbound=2.5))
    assert practice.week == 1                               # nothing was played by the bad tries


def test_after_the_last_week_the_season_is_over():
    practice = PracticeSeason(seed=1000, config=replace(CONFIG, weeks=2))
    practice.play_rest(naive)
    assert practice.over and practice.week == 2
    with pytest.raises(SeasonOver, match=r"seed 1000 is over: all 2 weeks are played.*PracticeSeason\(seed=1\)"):
        practice.play(naive(practice.view))
    with pytest.raises(SeasonOver, match="is over"):
        practice.play_rest(naive)
    assert practice.season_event()["weeks"] == 2


def test_a_failing_strategy_stops_with_its_week_and_keeps_the_weeks_before():
    def broken(view):
        if view.week == 2:
            raise ZeroDivisionError("my forecast divided by zero")
        return naive(view)

    practice = PracticeSeason(seed=8, config=CONFIG)
    with pytest.raises(StrategyError, match="week 2 \\(broken\\): ZeroDivisionError: my forecast"):
        practice.play_rest(broken)
    assert practice.week == 2 and not practice.over
    with pytest.raises(StrategyError, match="week 2 .*Decisions.price"):
        practice.play_rest(lambda view: Decisions(price=0.0))
    practice.play_rest(naive)
    assert practice.over


def test_bad_arguments_are_explained():
    with pytest.raises(TypeError, match=r"log must be a function log\(event: dict\)"):
        PracticeSeason(seed=1, log="activity.jsonl")
    with pytest.raises(TypeError, match="config must be a SeasonConfig"):
        PracticeSeason(seed=1, config={"weeks": 3})
    practice = PracticeSeason(seed=1, config=CONFIG)
    with pytest.raises(TypeError, match="strategy function"):
        practice.play_rest(naive(practice.view))
    with pytest.raises(ValueError, match="not played yet"):
        practice.round_event(0)
    with pytest.raises(ValueError, match="not over"):
        practice.season_event()


def test_reference_reports_are_the_references_seasons_so_far():
    practice = PracticeSeason(seed=12, config=CONFIG)
    for _ in range(4):
        practice.play(naive(practice.view))
    full = play_season(baseline, CONFIG, seed=12).reports()["business_report"]
    pd.testing.assert_frame_equal(practice.reference_reports("baseline")["business_report"], full[full["week"] < 4])
    with pytest.raises(ValueError, match=r"no reference strategy 'clever'; the references are \['naive'"):
        practice.reference_reports("clever")


def test_league_table_and_paired_wins():
    from cbec.modules.competition import play_league
    from cbec.modules.competition.practice import league_table, paired_wins

    def broken(view):
        if view.week == 3:
            raise KeyError("units_sold")
        return naive(view)

    league = play_league({"naive": naive, "baseline": baseline, "broken": broken}, CONFIG, seeds=[1, 2, 3])
    table = league_table(league)
    assert list(table["strategy"]) == ["naive"] * 3 + ["baseline"] * 3 + ["broken"] * 3
    assert np.allclose(table["profit"], league.profit())
    assert table["failed_week"].isna().tolist() == [True] * 6 + [False] * 3
    assert (table["failed_week"].iloc[6:] == 3).all()
    assert table["error"].iloc[-1] == "KeyError: 'units_sold'"
    wide = table.pivot(index="seed", columns="strategy", values="profit")
    assert paired_wins(table, "baseline", "naive") == (wide["baseline"] > wide["naive"]).mean()
    assert paired_wins(table, "naive", "broken") == 1.0          # idle after week 3: no restock, no ads
    with pytest.raises(ValueError, match="no strategy 'greedy'"):
        paired_wins(table, "greedy", "naive")
    with pytest.raises(ValueError, match="play_league result"):
        league_table(play_season(naive, CONFIG, seed=1).__class__(CONFIG, league.world, (1,), league.lines,
                                                                    league.store, labels=(1,)))


def test_a_strategy_cannot_rewrite_the_past_through_the_view():
    practice = PracticeSeason(seed=2, config=CONFIG)
    practice.play(naive(practice.view))
    with pytest.raises(ValueError, match="read-only"):
        practice.view.history["profit"][0] = 10**6
    assert practice.reports()["profit_and_loss"]["profit"].max() < 10**6


def test_course_log_writes_every_round_and_the_season_to_the_activity_log(tmp_path):
    from cbec.activity import read_activity
    from cbec.modules.competition.practice import course_log

    season = PracticeSeason(3, log=course_log("s001", tmp_path))
    season.play_rest(baseline)
    events = read_activity(tmp_path)
    rounds = events[events["kind"] == "practice_round"]
    assert list(rounds["week"]) == list(range(1, season.weeks + 1)) and set(events["student"]) == {"s001"}
    assert rounds["profit"].sum() == pytest.approx(season.profit, abs=0.05)
    assert events[events["kind"] == "practice_season"]["profit"].iloc[0] == pytest.approx(season.profit)
