"""The competition charts draw what the store's reports say, with labelled axes."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from cbec.modules.competition import SeasonConfig, baseline, build_world, greedy, naive, play_league  # noqa: E402
from cbec.modules.competition import economics, plots  # noqa: E402
from cbec.modules.competition.practice import REFERENCES, PracticeSeason, league_table  # noqa: E402

CONFIG = SeasonConfig(seed=3)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def practice():
    season = PracticeSeason(seed=6, config=CONFIG)
    for _ in range(5):
        season.play(greedy(season.view))
    return season


def _labelled(ax):
    assert ax.get_title() and ax.get_ylabel(), ax


def test_the_dashboard_draws_the_reports(practice):
    reports = practice.reports()
    fig = plots.store_dashboard(reports, weeks=practice.weeks)
    money, stock, prices, adverts, acos = fig.axes
    for ax in (money, stock, prices, adverts, acos):
        assert ax.get_ylabel()
    for ax in (money, stock, prices, adverts):
        _labelled(ax)
    assert prices.get_xlabel() == adverts.get_xlabel() == "week of the season"
    health = reports["account_health"]
    assert [bar.get_height() for bar in money.patches] == pytest.approx(health["store_profit"].to_list())
    assert list(money.lines[0].get_ydata()) == pytest.approx(health["store_profit"].cumsum().to_list())
    assert f"{health['store_profit'].sum():,.0f} USD after 5 week(s)" in money.get_title()
    inventory = reports["inventory_report"].groupby("week").sum(numeric_only=True)
    on_hand, sold = stock.lines[:2]
    assert list(on_hand.get_ydata()) == inventory["on_hand_end"].to_list()
    assert list(sold.get_ydata()) == inventory["units_sold"].to_list()
    lost_bars = [p.get_height() for p in stock.patches][-5:]
    assert lost_bars == inventory["lost_units"].to_list() and sum(lost_bars) > 0
    business = reports["business_report"]
    ratio = (business["price_paid"] / business["competitor_price"]).groupby(
        [business["week"], business["product"]]).mean()
    first = practice.facts.products[0]
    assert list(prices.lines[0].get_ydata()) == pytest.approx(ratio.xs(first, level="product").to_list())
    ads = reports["advertising_report"].groupby("week")[["spend", "ad_sales"]].sum()
    heights = [p.get_height() for p in adverts.patches]
    assert heights[:5] == pytest.approx(ads["spend"].to_list()) and heights[5:] == pytest.approx(ads["ad_sales"].to_list())
    # ACoS is undefined (not drawn) in a week without ad sales
    expected = (ads["spend"] / ads["ad_sales"].where(ads["ad_sales"] > 0)).to_list()
    assert list(acos.lines[0].get_ydata()) == pytest.approx(expected, nan_ok=True)
    assert money.get_xlim()[1] == pytest.approx(practice.weeks - 0.4)


def test_one_listings_prices_in_usd_and_errors(practice):
    product, market = practice.facts.products[1], practice.facts.markets[2]
    fig = plots.store_dashboard(practice.reports(), product=product, market=market)
    prices = fig.axes[2]
    line = practice.reports()["business_report"].query("product == @product and market == @market")
    assert list(prices.lines[0].get_ydata()) == line["price_paid"].to_list()
    assert list(prices.lines[1].get_ydata()) == line["competitor_price"].to_list()
    assert prices.get_ylabel() == "USD per unit" and product in prices.get_title()
    with pytest.raises(ValueError, match="give both product and market"):
        plots.store_dashboard(practice.reports(), product=product)
    with pytest.raises(ValueError, match="no listing 'Kettle'"):
        plots.store_dashboard(practice.reports(), product="Kettle", market="US")
    with pytest.raises(ValueError, match="no week has been played yet"):
        plots.store_dashboard(PracticeSeason(seed=6, config=CONFIG).reports())
    with pytest.raises(TypeError, match="pass a store's reports"):
        plots.store_dashboard(practice.reports()["business_report"])


def test_the_season_comparison_plots_each_season(practice):
    seasons = {"you": practice.reports(), **{name: practice.reference_reports(name) for name in REFERENCES}}
    fig = plots.season_comparison_plot(seasons)
    lines, bars = fig.axes
    _labelled(lines)
    assert [line.get_label() for line in lines.lines if not line.get_label().startswith("_")] == list(seasons)
    totals = [reports["account_health"]["store_profit"].sum() for reports in seasons.values()]
    assert [bar.get_width() for bar in bars.patches] == pytest.approx(totals)
    assert totals[list(seasons).index("naive")] == pytest.approx(practice.scorecard().loc["naive", "profit"], abs=0.01)
    assert bars.get_xlabel() == "season profit (USD)"
    with pytest.raises(ValueError, match="seasons is empty"):
        plots.season_comparison_plot({})


def test_the_league_plot_has_a_dot_per_seed_and_the_means():
    table = league_table(play_league([naive, greedy, baseline], CONFIG, seeds=range(1, 7)))
    ax = plots.league_plot(table)
    assert [t.get_text() for t in ax.get_yticklabels()][0] == table.groupby("strategy")["profit"].mean().idxmax()
    assert sum(len(c.get_offsets()) for c in ax.collections) == len(table) == 18
    means = sorted(line.get_xdata()[0] for line in ax.lines if len(line.get_xdata()) == 2
                   and line.get_xdata()[0] == line.get_xdata()[1] and line.get_linewidth() > 2)
    assert means == pytest.approx(sorted(table.groupby("strategy")["profit"].mean()))
    assert ax.get_xlabel().startswith("season profit (USD)")


def test_lecture_one_plots_draw_the_scans():
    world = build_world(CONFIG)
    product, market = world.products[0], world.markets[0]
    lp = world.list_price[0, 0]
    scan = economics.price_scan(CONFIG, product, market, np.linspace(0.7 * lp, 1.3 * lp, 7), seeds=range(1, 11))
    ax = plots.price_scan_plot(scan, curve=economics.demand_curve(world, product, market, scan["price"], week=0),
                               marks={"list price": lp})
    _labelled(ax)
    assert list(ax.lines[0].get_ydata()) == pytest.approx(scan["profit"].to_list())
    assert ax.lines[-1].get_xdata()[0] == lp
    bids = economics.bid_scan(CONFIG, product, market, [0.2, 0.6, 1.0, 1.4], seeds=range(1, 11))
    ax = plots.bid_scan_plot(bids, break_even_bid=1.2)
    _labelled(ax)
    assert list(ax.lines[2].get_ydata()) == pytest.approx(bids["ad_profit"].to_list())
    fig = plots.stockout_plot(economics.stockout_experiment(CONFIG, product, market, seed=2))
    for axis in fig.axes:
        _labelled(axis)
        assert axis.get_xlabel() == "week of the season"
