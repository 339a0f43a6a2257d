"""UTM parameters are parsed from landing URLs, every messy spelling is cleaned to one value, channels follow the
ordered rules, and the channel summary counts visits, orders, revenue, cost and ROAS by hand-checkable sums."""

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from cbec.modules.independent_station import utm
from cbec.modules.independent_station.schemas import CHANNELS

STORE = "https://brand-store.com"


def sessions_frame(rows):
    """Visits from (landing query, referrer) pairs; the query goes on a product page of the store."""
    urls = [None if query is None else STORE + "/products/tee" + query for query, _ in rows]
    return pd.DataFrame({"session_id": np.arange(1, len(rows) + 1), "landing_url": pd.array(urls, dtype="string"),
                         "referrer": pd.array([referrer for _, referrer in rows], dtype="string")})


def one_channel(query, referrer=""):
    return str(utm.channel_of(sessions_frame([(query, referrer)])).iloc[0])


# ---------------------------------------------------------------- parsing


def test_parse_utm_decodes_percent_and_plus_and_marks_missing_as_na():
    urls = pd.Series([STORE + "/?utm_source=Google&utm_medium=Paid+Search&utm_campaign=Spring%20Sale%202026"
                      "&utm_term=running%2Bshoes&utm_content=ad_1&gclid=Cj0KCQ",
                      STORE + "/?UTM_Source=fb&utm_campaign=&fbclid=IwAR2",
                      STORE + "/collections/all",
                      None], index=[10, 11, 12, 13])
    parsed = utm.parse_utm(urls)
    assert list(parsed.columns) == [*utm.UTM_FIELDS, *utm.CLICK_IDS]
    assert parsed.index.tolist() == [10, 11, 12, 13]
    first = parsed.loc[10]
    assert (first["utm_source"], first["utm_medium"], first["utm_campaign"]) == ("Google", "Paid Search",
                                                                                 "Spring Sale 2026")
    assert first["utm_term"] == "running+shoes"            # %2B is a literal plus, '+' a space
    assert first["gclid"] and not first["fbclid"]
    assert parsed.loc[11, "utm_source"] == "fb"             # parameter names in any case
    assert pd.isna(parsed.loc[11, "utm_campaign"])          # blank is missing
    assert parsed.loc[11, "fbclid"] and not parsed.loc[11, "gclid"]
    for row in (12, 13):
        assert parsed.loc[row, list(utm.UTM_FIELDS)].isna().all()
        assert not parsed.loc[row, "gclid"] and not parsed.loc[row, "fbclid"]


def test_parse_utm_parses_each_distinct_url_once(monkeypatch):
    calls = []
    original = utm._parameters
    monkeypatch.setattr(utm, "_parameters", lambda url: calls.append(url) or original(url))
    urls = pd.Series([STORE + "/?utm_source=fb", STORE + "/", STORE + "/?utm_source=fb"] * 500)
    parsed = utm.parse_utm(urls)
    assert len(calls) == 2 and len(parsed) == 1500
    assert (parsed["utm_source"].iloc[::3] == "fb").all()


def test_parse_utm_reads_parameters_after_a_hash_and_keeps_the_first_repeated_value():
    parsed = utm.parse_utm(pd.Series([STORE + "/#utm_source=klaviyo&utm_medium=email",
                                      STORE + "/?utm_source=&utm_source=bing&utm_source=google"]))
    assert parsed["utm_source"].tolist() == ["klaviyo", "bing"]
    assert parsed.loc[0, "utm_medium"] == "email"


def test_parse_utm_wants_a_series():
    with pytest.raises(TypeError, match="Series of landing URLs"):
        utm.parse_utm(["https://x.com/?utm_source=fb"])


# ---------------------------------------------------------------- normalising

SOURCE_VARIANTS = [("fb", "facebook"), ("FB", "facebook"), ("facebook.com", "facebook"), ("m.facebook.com", "facebook"),
                   ("l.facebook.com", "facebook"), ("Facebook", "facebook"), ("ig", "instagram"), ("IG", "instagram"),
                   ("instagram.com", "instagram"), ("tiktok", "tiktok"), ("TikTok", "tiktok"), ("google", "google"),
                   ("Google", "google"), ("GOOGLE", "google"), ("adwords", "google"), ("bing", "bing"),
                   ("klaviyo", "klaviyo"), ("mailchimp", "mailchimp"), ("newsletter", "newsletter"), ("awin", "awin"),
                   ("shareasale", "shareasale"), ("impact", "impact"), ("partnerize", "partnerize"), ("gdn", "gdn"),
                   ("criteo", "criteo"), ("  Klaviyo ", "klaviyo")]
MEDIUM_VARIANTS = [("cpc", "cpc"), ("CPC", "cpc"), ("ppc", "cpc"), ("paidsearch", "cpc"), ("Paid Search", "cpc"),
                   ("paid-search", "cpc"), ("paid_search", "cpc"), ("paid_social", "paid_social"),
                   ("paidsocial", "paid_social"), ("Paid-Social", "paid_social"), ("social_paid", "paid_social"),
                   ("paid", "paid_social"), ("email", "email"), ("Email", "email"), ("EMAIL", "email"),
                   ("e-mail", "email"), ("newsletter", "email"), ("affiliate", "affiliate"), ("Affiliate", "affiliate"),
                   ("aff", "affiliate"), ("partner", "affiliate"), ("display", "display"), ("Display", "display"),
                   ("banner", "display"), ("cpm", "display"), ("CPM", "display"), ("referral", "referral")]


@pytest.mark.parametrize(("raw", "clean"), SOURCE_VARIANTS)
def test_every_source_spelling_becomes_one_value(raw, clean):
    normal = utm.normalise_utm(pd.DataFrame({field: pd.array([raw if field == "utm_source" else None], dtype="string")
                                             for field in utm.UTM_FIELDS}))
    assert normal.loc[0, "utm_source"] == clean


@pytest.mark.parametrize(("raw", "clean"), MEDIUM_VARIANTS)
def test_every_medium_spelling_becomes_one_value(raw, clean):
    normal = utm.normalise_utm(pd.DataFrame({field: pd.array([raw if field == "utm_medium" else None], dtype="string")
                                             for field in utm.UTM_FIELDS}))
    assert normal.loc[0, "utm_medium"] == clean


def test_campaigns_are_one_name_whatever_the_case_and_separators():
    parsed = utm.parse_utm(pd.Series([STORE + "/?utm_campaign=BFCM_2026", STORE + "/?utm_campaign=bfcm_2026",
                                      STORE + "/?utm_campaign=BFCM+2026", STORE + "/?utm_campaign=bfcm-2026",
                                      STORE + "/?utm_campaign=%28none%29"]))
    campaigns = utm.normalise_utm(parsed)["utm_campaign"]
    assert campaigns.iloc[:4].tolist() == ["bfcm_2026"] * 4
    assert pd.isna(campaigns.iloc[4])                        # "(none)" means not set
    assert utm.normalise_campaign(pd.Series(["BFCM 2026", " Spring-Sale "])).tolist() == ["bfcm_2026", "spring_sale"]


def test_term_and_content_keep_their_spaces_and_unknown_sources_stay_cleaned():
    url = STORE + "/?utm_source=My+Blog&utm_term=Running++Shoes&utm_content=Hero%20Banner"
    parsed = utm.parse_utm(pd.Series([url]))
    normal = utm.normalise_utm(parsed)
    assert normal.loc[0, "utm_source"] == "my_blog"
    assert normal.loc[0, "utm_term"] == "running shoes" and normal.loc[0, "utm_content"] == "hero banner"


def test_an_alias_listed_under_two_values_is_refused():
    with pytest.raises(ValueError, match="listed for both"):
        utm._alias_lookup({"facebook": ("fb",), "instagram": ("FB",)})


# ---------------------------------------------------------------- channels

CHANNEL_CASES = [
    # paid social: social source with a paid medium or none, an explicit paid_social medium, or fbclid
    ("?utm_source=FB&utm_medium=Paid-Social", "", "paid_social"),
    ("?utm_source=fb", "", "paid_social"),
    ("?utm_source=facebook.com&utm_campaign=BFCM_2026", "https://l.facebook.com/", "paid_social"),
    ("?utm_source=m.facebook.com&utm_medium=paid", "", "paid_social"),
    ("?utm_source=IG&utm_medium=cpc", "", "paid_social"),
    ("?utm_source=instagram.com&utm_medium=paidsocial", "", "paid_social"),
    ("?utm_source=TikTok", "", "paid_social"),
    ("?utm_source=tiktok&utm_medium=social_paid", "", "paid_social"),
    ("?utm_source=facebook&utm_medium=CPM", "", "paid_social"),      # a social ad bought per impression
    ("?utm_source=pinterest&utm_medium=paid_social", "", "paid_social"),
    ("?fbclid=IwAR2abc", "https://m.facebook.com/", "paid_social"),
    # paid search: search source with cpc, or gclid without UTM
    ("?utm_source=google&utm_medium=cpc", "", "paid_search"),
    ("?utm_source=GOOGLE&utm_medium=ppc", "https://www.google.com/", "paid_search"),
    ("?utm_source=adwords&utm_medium=Paid+Search", "", "paid_search"),
    ("?utm_source=bing&utm_medium=paidsearch", "", "paid_search"),
    ("?utm_source=Google&utm_medium=paid-search", "", "paid_search"),
    ("?gclid=Cj0KCQjw", "", "paid_search"),
    ("?gclid=Cj0KCQjw", "https://www.google.com/", "paid_search"),
    # display: display/cpm medium or a display network source
    ("?utm_source=google&utm_medium=display", "", "display"),
    ("?utm_source=gdn&utm_medium=cpc", "", "display"),
    ("?utm_source=criteo", "", "display"),
    ("?utm_source=somesite&utm_medium=banner", "", "display"),
    ("?utm_source=programmatic&utm_medium=cpm", "", "display"),
    # email: email medium or an email service source
    ("?utm_source=klaviyo&utm_medium=email", "", "email"),
    ("?utm_source=newsletter", "", "email"),
    ("?utm_source=mailchimp&utm_medium=newsletter", "", "email"),
    ("?utm_source=store&utm_medium=E-mail", "", "email"),
    ("?utm_source=klaviyo&utm_medium=EMAIL&fbclid=x", "", "email"),   # UTM rules come before click ids
    # affiliate: affiliate medium or an affiliate network source
    ("?utm_source=awin&utm_medium=affiliate", "", "affiliate"),
    ("?utm_source=shareasale", "", "affiliate"),
    ("?utm_source=impact&utm_medium=aff", "", "affiliate"),
    ("?utm_source=partnerize&utm_medium=partner", "", "affiliate"),
    ("?utm_source=couponsite&utm_medium=Affiliate", "", "affiliate"),
    # explicit referral, organic social, organic search tagged
    ("?utm_source=blog&utm_medium=referral", "https://blog.example.org/", "referral"),
    ("?utm_source=facebook&utm_medium=referral", "", "referral"),
    ("?utm_source=instagram&utm_medium=social", "", "referral"),
    ("?utm_source=google&utm_medium=organic", "", "organic_search"),
    # without UTM: the referrer decides
    ("", "https://www.google.com/", "organic_search"),
    ("", "https://www.google.co.uk/search?q=tee", "organic_search"),
    ("", "https://www.bing.com/search?q=tee", "organic_search"),
    ("", "https://cn.bing.com/", "organic_search"),
    ("", "https://duckduckgo.com/", "organic_search"),
    ("", "https://uk.search.yahoo.com/", "organic_search"),
    ("", "https://yandex.ru/search/", "organic_search"),
    ("", "https://www.baidu.com/s?wd=tee", "organic_search"),
    ("", "https://mail.google.com/mail/u/0/", "referral"),          # Gmail in a browser is not a search
    ("", "https://www.facebook.com/", "referral"),                  # facebook.com without UTM or fbclid
    ("", "https://l.instagram.com/", "referral"),
    ("", "https://blog.example.org/best-tees", "referral"),
    ("", "android-app://com.slack", "referral"),
    ("", "", "direct"),
    ("", None, "direct"),
    ("", "https://brand-store.com/cart", "direct"),                  # the store's own domain
    ("", "https://www.brand-store.com/", "direct"),
    ("", "https://checkout.brand-store.com/", "direct"),
    # UTM no rule knows: the fallback
    ("?utm_source=weird&utm_medium=stuff", "", utm.UNMATCHED_CHANNEL),
    ("?utm_source=google", "", utm.UNMATCHED_CHANNEL),               # search source without a medium
    ("?utm_medium=qr_code", "https://www.google.com/", utm.UNMATCHED_CHANNEL),
]


@pytest.mark.parametrize(("query", "referrer", "channel"), CHANNEL_CASES)
def test_channel_rules_classify_each_kind_of_visit(query, referrer, channel):
    assert one_channel(query, referrer) == channel


def test_channel_of_is_categorical_over_the_schema_channels_on_the_sessions_index():
    sessions = sessions_frame([("?utm_source=fb", ""), ("", "")]).set_axis([7, 3])
    channel = utm.channel_of(sessions)
    assert isinstance(channel.dtype, pd.CategoricalDtype)
    assert tuple(channel.cat.categories) == CHANNELS and channel.index.tolist() == [7, 3]
    assert channel.tolist() == ["paid_social", "direct"]


def test_every_rule_names_a_schema_channel_and_the_fallback_is_last():
    assert {rule.channel for rule in utm.CHANNEL_RULES} == set(CHANNELS)
    assert utm.CHANNEL_RULES[-1].tagged is True and utm.CHANNEL_RULES[-1].sources is None
    assert len({rule.name for rule in utm.CHANNEL_RULES}) == len(utm.CHANNEL_RULES)


def test_own_domains_turn_a_payment_pages_referrer_into_direct():
    sessions = sessions_frame([("", "https://www.paypal.com/checkoutnow")])
    assert utm.channel_of(sessions).iloc[0] == "referral"
    assert utm.channel_of(sessions, own_domains=["paypal.com"]).iloc[0] == "direct"


def test_classify_sessions_says_which_rule_matched():
    table = utm.classify_sessions(sessions_frame([("?utm_source=fb", ""), ("?gclid=1", ""), ("", "https://x.org/")]))
    assert table["rule"].tolist() == ["social source with a paid medium or none", "gclid", "no UTM, other referrer"]
    assert table["referrer_kind"].tolist() == ["empty", "empty", "other"]
    assert table["tagged"].tolist() == [True, False, False]
    assert table["session_id"].tolist() == [1, 2, 3]


def test_unmatched_utm_lists_the_pairs_that_need_a_rule():
    sessions = sessions_frame([("?utm_source=Weird&utm_medium=Stuff", ""), ("?utm_source=weird&utm_medium=stuff", ""),
                               ("?utm_medium=qr_code", ""), ("?utm_source=fb", ""), ("", "")])
    table = utm.unmatched_utm(sessions)
    assert table[["utm_source", "utm_medium", "sessions"]].astype(object).where(table.notna(), None).values.tolist() \
        == [["weird", "stuff", 2], [None, "qr_code", 1]]
    assert set(table.loc[0, "examples"].split(", ")) == {"Weird / Stuff", "weird / stuff"}
    assert utm.unmatched_utm(sessions_frame([("?utm_source=fb", "")])).empty


def test_utm_quality_counts_the_messy_visits():
    sessions = sessions_frame([("?utm_source=Facebook&utm_medium=paid_social&utm_campaign=BFCM_2026", ""),
                               ("?utm_source=fb&utm_medium=Paid-Social&utm_campaign=bfcm_2026", ""),
                               ("?utm_source=facebook&utm_medium=ppc", ""),
                               ("?utm_source=ig", ""),
                               ("?utm_source=weird&utm_medium=stuff", ""),
                               ("?utm_source=google&utm_medium=cpc", ""), ("", "")])
    table = utm.utm_quality(sessions).set_index(["field", "issue"])["sessions"]
    format_variant, alias = "format variant (case, spaces, separators)", "alias of a known value"
    assert table[("utm_source", format_variant)] == 1          # Facebook
    assert table[("utm_source", alias)] == 2                   # fb, ig
    assert table[("utm_medium", format_variant)] == 1          # Paid-Social
    assert table[("utm_medium", alias)] == 1                   # ppc
    assert table[("utm_medium", "missing (source without medium)")] == 1
    assert table[("utm_campaign", format_variant)] == 1        # BFCM_2026
    assert table[("utm_source / utm_medium", "unmatched by any channel rule")] == 1
    assert table[("any", "any of the above")] == 5
    shares = utm.utm_quality(sessions).set_index("issue")["share"]
    assert shares["any of the above"] == pytest.approx(5 / 7)


def test_missing_columns_are_named():
    with pytest.raises(ValueError, match="missing column.*referrer"):
        utm.channel_of(pd.DataFrame({"landing_url": ["https://x.com"]}))


# ---------------------------------------------------------------- channel summary


@pytest.fixture
def store():
    """Six visits: three paid social (FB variants), two paid search, one direct; four orders (visit 1 twice)."""
    sessions = sessions_frame([("?utm_source=FB&utm_medium=Paid-Social", ""), ("?utm_source=fb", ""),
                               ("?utm_source=facebook.com&utm_medium=paid", ""),
                               ("?utm_source=google&utm_medium=cpc", ""), ("?gclid=abc", ""), ("", "")])
    orders = pd.DataFrame({"order_id": [1, 2, 3, 4], "session_id": [1, 1, 4, 6],
                           "revenue_usd": [50.0, 30.0, 120.0, 40.0]})
    ad_spend = pd.DataFrame({"date": pd.to_datetime(["2026-03-01", "2026-03-02", "2026-03-01"]),
                             "channel": ["paid_social", "paid_social", "paid_search"], "campaign": ["a", "a", "b"],
                             "spend_usd": [20.0, 20.0, 60.0], "impressions": [1000, 1000, 500], "clicks": [3, 3, 2]})
    email = pd.DataFrame({"campaign": ["welcome"], "sent_at": pd.to_datetime(["2026-03-01"]), "recipients": [1000],
                          "cost_usd": [15.0]})
    return sessions, orders, ad_spend, email


def test_channel_summary_by_hand(store):
    sessions, orders, ad_spend, email = store
    table = utm.channel_summary(sessions, orders, ad_spend, email).set_index("channel")
    assert table.index.tolist() == list(CHANNELS)
    social, search, direct = table.loc["paid_social"], table.loc["paid_search"], table.loc["direct"]
    assert (social["sessions"], social["converting_sessions"], social["orders"]) == (3, 1, 2)
    assert social["conversion_rate"] == pytest.approx(1 / 3)
    assert (social["conversion_low"], social["conversion_high"]) == pytest.approx(proportion_confint(1, 3,
                                                                                                    method="wilson"))
    assert social["revenue"] == 80.0 and social["revenue_per_session"] == pytest.approx(80 / 3)
    assert social["aov"] == 40.0
    assert social["cost"] == 40.0 and social["roas"] == pytest.approx(2.0) and social["cpa"] == 20.0
    assert (search["sessions"], search["orders"], search["revenue"], search["cost"]) == (2, 1, 120.0, 60.0)
    assert search["roas"] == pytest.approx(2.0)
    assert direct["revenue"] == 40.0 and np.isnan(direct["cost"]) and np.isnan(direct["roas"])
    assert table.loc["email", "cost"] == 15.0 and table.loc["email", "roas"] == 0.0
    assert table.loc["affiliate", "cost"] == 0.0 and np.isnan(table.loc["affiliate", "roas"])   # no revenue, no cost
    assert table.loc["affiliate", "sessions"] == 0 and np.isnan(table.loc["affiliate", "conversion_rate"])
    assert table["sessions"].sum() == len(sessions) and table["revenue"].sum() == orders["revenue_usd"].sum()


def test_channel_summary_without_spend_has_no_cost_columns(store):
    sessions, orders, _, _ = store
    table = utm.channel_summary(sessions, orders, alpha=0.1)
    assert "cost" not in table.columns and "roas" not in table.columns
    social = table.set_index("channel").loc["paid_social"]
    assert social["conversion_low"] == pytest.approx(proportion_confint(1, 3, alpha=0.1, method="wilson")[0])


def test_channel_summary_says_what_to_do_with_stray_orders_and_bad_spend(store):
    sessions, orders, ad_spend, _ = store
    with pytest.raises(ValueError, match="not in sessions.*same period"):
        utm.channel_summary(sessions, pd.concat([orders, orders.assign(order_id=9, session_id=99).iloc[:1]]))
    with pytest.raises(ValueError, match="repeated session_id"):
        utm.channel_summary(pd.concat([sessions, sessions.iloc[:1]]), orders)
    with pytest.raises(ValueError, match="email cost goes in email_campaigns"):
        utm.channel_summary(sessions, orders, ad_spend.assign(channel="email"))
    with pytest.raises(ValueError, match="missing column.*revenue_usd"):
        utm.channel_summary(sessions, orders.drop(columns="revenue_usd"))


def test_a_repeated_sessions_index_does_not_mix_up_rows():
    sessions = sessions_frame([("?utm_source=weird&utm_medium=stuff", ""), ("?utm_source=odd", ""),
                               ("?utm_source=fb", "")]).set_axis([0, 0, 1])
    assert utm.channel_of(sessions).tolist() == [utm.UNMATCHED_CHANNEL, utm.UNMATCHED_CHANNEL, "paid_social"]
    table = utm.unmatched_utm(sessions)
    assert table["examples"].tolist() == ["weird / stuff", "odd / (none)"]


def test_classifying_the_same_visits_again_gives_a_fresh_equal_table_and_new_visits_their_own():
    sessions = pd.DataFrame({"session_id": [1, 2], "landing_url": ["https://shop.example.com/?utm_source=FB",
                                                                    "https://shop.example.com/"],
                             "referrer": ["", ""]}, index=[10, 11])
    first = utm.classify_sessions(sessions)
    first.loc[10, "channel"] = "direct"                      # the caller's copy, not the kept one
    again = utm.classify_sessions(sessions)
    assert list(again["channel"]) == ["paid_social", "direct"] and list(again.index) == [10, 11]
    changed = sessions.assign(referrer=["", "https://www.google.com/"])
    assert list(utm.channel_of(changed)) == ["paid_social", "organic_search"]


# ---------------------------------------------------------------- the rules and the spellings as tables


def test_rules_table_lists_every_rule_in_order_with_its_conditions():
    table = utm.rules_table()
    assert table["order"].tolist() == list(range(1, len(utm.CHANNEL_RULES) + 1))
    assert table["rule"].tolist() == [rule.name for rule in utm.CHANNEL_RULES]
    assert set(table["channel"]) <= set(CHANNELS)
    social = table.set_index("rule").loc["social source with a paid medium or none"]
    assert social["sources"].startswith("facebook, instagram") and social["mediums"].endswith("(missing)")
    assert pd.isna(social["click_id"]) and pd.isna(social["tagged"])
    fallback = table.iloc[-1]
    assert fallback["rule"] == "unmatched UTM (fallback)" and bool(fallback["tagged"])
    assert table.set_index("rule").loc["gclid", "click_id"] == "gclid"


def test_rules_table_counts_the_visits_each_rule_decided():
    sessions = sessions_frame([("?utm_source=fb", ""), ("?utm_source=FB&utm_medium=cpc", ""), ("", ""),
                               ("?gclid=abc", ""), ("", "https://www.google.com/")])
    table = utm.rules_table(utm.classify_sessions(sessions)).set_index("rule")
    assert table.loc["social source with a paid medium or none", "sessions"] == 2
    assert table.loc["gclid", "sessions"] == 1 and table.loc["no UTM, no referrer", "sessions"] == 1
    assert table.loc["no UTM, search engine referrer", "share"] == pytest.approx(1 / 5)
    assert table["sessions"].sum() == 5


def test_utm_spellings_say_what_cleaning_did():
    sessions = sessions_frame([("?utm_source=facebook", ""), ("?utm_source=Facebook", ""), ("?utm_source=FB", ""),
                               ("?utm_source=fb", ""), ("?utm_source=fb", ""), ("?utm_source=(none)", ""),
                               ("?utm_source=google", ""), ("", "")])
    table = utm.utm_spellings(sessions)
    assert table.columns.tolist() == ["raw", "normalised", "change", "sessions"]
    rows = table.set_index("raw")
    assert rows.loc["facebook", "change"] == "none" and rows.loc["Facebook", "change"] == "format variant"
    assert rows.loc["FB", "change"] == "alias" and rows.loc["fb", "sessions"] == 2
    assert pd.isna(rows.loc["(none)", "normalised"]) and rows.loc["(none)", "change"] == "empty value"
    assert table["sessions"].sum() == 7  # the visit without a source is left out
    assert table["normalised"].iloc[:4].tolist() == ["facebook"] * 4  # the most visited value first, spellings together
    assert table["raw"].iloc[0] == "fb"  # its most used spelling first


def test_utm_spellings_of_the_medium_and_the_errors():
    sessions = sessions_frame([("?utm_source=google&utm_medium=Paid%20Search", ""), ("?utm_medium=PPC", "")])
    table = utm.utm_spellings(sessions, "utm_medium").set_index("raw")
    assert (table.loc["Paid Search", "normalised"], table.loc["PPC", "normalised"]) == ("cpc", "cpc")
    assert table["change"].tolist() == ["alias", "alias"]
    assert utm.utm_spellings(sessions_frame([("", "")])).empty
    with pytest.raises(ValueError, match="utm_source, utm_medium or utm_campaign"):
        utm.utm_spellings(sessions, "utm_term")
