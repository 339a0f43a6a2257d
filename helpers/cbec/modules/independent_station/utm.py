"""Where a store's visits came from: UTM parameters parsed and cleaned, channels assigned by
ordered rules, and what each channel brought in and cost.

A landing URL carries what the link's author typed: ``utm_source=FB``,
``utm_medium=Paid-Social``, ``utm_campaign=BFCM_2026`` on one ad and
``utm_source=facebook.com&utm_campaign=bfcm_2026`` with no medium on the next. The work
goes in three steps, each a function:

1. :func:`parse_utm` reads the five UTM fields and the click ids (``gclid`` from Google
   Ads auto-tagging, ``fbclid`` added by Meta) out of each distinct URL, decoding percent-
   and plus-encoding; a field that is absent or blank is NA.
2. :func:`normalise_utm` lower-cases, strips and collapses separators (``Paid Search``,
   ``paid-search`` and ``paid_search`` all become ``paid_search``), then maps aliases from
   :data:`SOURCE_ALIASES` and :data:`MEDIUM_ALIASES` (``fb`` -> ``facebook``, ``ppc`` ->
   ``cpc``). Campaign names get the same cleaning without aliases, so ``BFCM_2026`` and
   ``bfcm 2026`` are one campaign; use :func:`normalise_campaign` on ``ad_spend`` or
   ``email_campaigns`` campaign names to join them.
3. :func:`channel_of` walks :data:`CHANNEL_RULES` in order, GA4-style, and gives each
   visit the channel of the first rule it matches; :func:`classify_sessions` also says which
   rule. Visits with UTM parameters that no rule recognises get :data:`UNMATCHED_CHANNEL`;
   :func:`unmatched_utm` lists their source/medium pairs, so an analyst sees what needs a
   new alias or rule.

The store's own domain: a referrer on the landing page's own host (or a subdomain of it,
``checkout.brand.com`` for ``brand.com``) is the visitor moving within the store, for
example a new session after 30 idle minutes. It is counted as **direct**, not as a
referral from the store to itself; add hosts such as a payment page's with ``own_domains``.

:func:`channel_summary` joins orders to the session that placed them (last click) and
gives per channel sessions, orders, conversion with its Wilson interval, revenue and, with
spend, cost and ROAS. :func:`utm_quality` counts how many visits had messy values.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

import numpy as np
import pandas as pd

from cbec.arithmetic import ratio
from cbec.data.columns import require_columns
from cbec.intervals import wilson_interval
from cbec.modules.independent_station.schemas import CHANNELS, PAID_CHANNELS

UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
#: Click ids whose presence is reported (True/False) by :func:`parse_utm`.
CLICK_IDS = ("gclid", "fbclid")
#: Values that mean "not set" once cleaned: the field is treated as missing.
EMPTY_VALUES = ("", "none", "(none)", "null", "undefined", "(not_set)", "not_set", "na", "n/a")

#: Canonical source -> the other spellings seen in links (written naturally; they are
#: cleaned like the values before matching, so case and separators need not be listed).
SOURCE_ALIASES: dict[str, tuple[str, ...]] = {
    "facebook": ("fb", "facebook.com", "www.facebook.com", "m.facebook.com", "l.facebook.com", "lm.facebook.com"),
    "instagram": ("ig", "instagram.com", "www.instagram.com", "l.instagram.com"),
    "tiktok": ("tiktok.com", "www.tiktok.com", "tik tok"),
    "pinterest": ("pinterest.com", "www.pinterest.com"),
    "snapchat": ("snap", "snapchat.com"),
    "google": ("adwords", "google ads", "googleads", "google.com", "www.google.com"),
    "bing": ("bing.com", "www.bing.com", "microsoft ads"),
    "yahoo": ("search.yahoo.com",),
    "duckduckgo": ("duckduckgo.com",),
    "baidu": ("baidu.com",),
    "yandex": ("yandex.ru", "yandex.com"),
    "klaviyo": (),
    "mailchimp": (),
    "newsletter": (),
    "awin": (),
    "shareasale": ("share a sale",),
    "impact": ("impact.com", "impact radius"),
    "partnerize": (),
    "gdn": ("google display network",),
    "criteo": (),
}
#: Canonical medium -> the other spellings seen in links.
MEDIUM_ALIASES: dict[str, tuple[str, ...]] = {
    "cpc": ("ppc", "paidsearch", "paid search"),
    "paid_social": ("paidsocial", "social paid", "paid"),
    "email": ("e-mail", "newsletter"),
    "affiliate": ("aff", "partner", "affiliates"),
    "display": ("banner", "cpm"),
    "referral": (),
    "organic": (),
    # an unpaid post on a social network (the channel list has no organic social: see CHANNEL_RULES)
    "social": ("organic social", "social organic"),
}

#: Source groups the channel rules refer to.
SOCIAL_SOURCES = ("facebook", "instagram", "tiktok", "pinterest", "snapchat")
SEARCH_SOURCES = ("google", "bing", "yahoo", "duckduckgo", "baidu", "yandex")
EMAIL_SOURCES = ("klaviyo", "mailchimp", "newsletter")
AFFILIATE_SOURCES = ("awin", "shareasale", "impact", "partnerize")
DISPLAY_SOURCES = ("gdn", "criteo")
#: Mediums that say the click was bought (a social source with one of them is paid social).
PAID_MEDIUMS = ("cpc", "paid_social", "display")
#: Referrer hosts of search engines: a host starting with one of these, after at most one
#: short label (``www.google.co.uk``, ``cn.bing.com``, ``m.baidu.com``, ``uk.search.yahoo.com``),
#: is organic search when the URL has no UTM. Other Google hosts such as ``mail.google.com``
#: (Gmail in a browser) are not searches and stay referrals.
SEARCH_ENGINE_REFERRERS = ("google.", "bing.", "duckduckgo.", "search.yahoo.", "yandex.", "baidu.")

#: Stands for "the medium is missing" in a rule's ``mediums``.
MISSING = None


@dataclass(frozen=True)
class ChannelRule:
    """One rule of the channel grouping: every condition given must hold.

    ``sources``/``mediums`` are sets of normalised values (``MISSING`` in ``mediums``
    matches a visit without a medium); ``click_id`` names a click id that must be present;
    ``tagged`` is True for visits whose URL has a UTM source or medium, False for those
    without; ``referrer`` is the kind of referrer (``empty``, ``own_domain``,
    ``search_engine`` or ``other``, see :func:`classify_sessions`).
    """

    channel: str
    name: str
    sources: tuple[str, ...] | None = None
    mediums: tuple[str | None, ...] | None = None
    click_id: str | None = None
    tagged: bool | None = None
    referrer: str | None = None


#: The channel grouping, first match wins (the order of GA4's default channel grouping:
#: paid before unpaid, UTM before click ids, click ids before the referrer). Social ads are
#: often tagged with a source and no medium, so a social source without a medium is paid.
#: The medium is the stronger statement: ``utm_medium=paid_social`` is paid social whatever
#: the source, an explicit ``utm_medium=referral`` is a referral. Organic social posts
#: (``utm_medium=social``) have no channel of their own in ``CHANNELS`` and are referrals,
#: as a facebook.com referrer without UTM is. Click ids count only when the UTM
#: parameters, if any, matched no rule. The last rule is the fallback for unmatched UTM.
CHANNEL_RULES: tuple[ChannelRule, ...] = (
    ChannelRule("referral", "utm_medium=referral", mediums=("referral",)),
    ChannelRule("paid_social", "social source with a paid medium or none", sources=SOCIAL_SOURCES,
                mediums=(*PAID_MEDIUMS, MISSING)),
    ChannelRule("paid_social", "utm_medium=paid_social", mediums=("paid_social",)),
    ChannelRule("display", "display or cpm medium", mediums=("display",)),
    ChannelRule("display", "display network source", sources=DISPLAY_SOURCES),
    ChannelRule("paid_search", "search engine source with cpc medium", sources=SEARCH_SOURCES, mediums=("cpc",)),
    ChannelRule("email", "email medium", mediums=("email",)),
    ChannelRule("email", "email service source", sources=EMAIL_SOURCES),
    ChannelRule("affiliate", "affiliate medium", mediums=("affiliate",)),
    ChannelRule("affiliate", "affiliate network source", sources=AFFILIATE_SOURCES),
    ChannelRule("organic_search", "search engine source with organic medium", sources=SEARCH_SOURCES,
                mediums=("organic",)),
    ChannelRule("referral", "organic social post (utm_medium=social)", mediums=("social",)),
    ChannelRule("paid_social", "fbclid", click_id="fbclid"),
    ChannelRule("paid_search", "gclid", click_id="gclid"),
    ChannelRule("direct", "no UTM, no referrer", tagged=False, referrer="empty"),
    ChannelRule("direct", "no UTM, referrer on the store's own domain", tagged=False, referrer="own_domain"),
    ChannelRule("organic_search", "no UTM, search engine referrer", tagged=False, referrer="search_engine"),
    ChannelRule("referral", "no UTM, other referrer", tagged=False, referrer="other"),
    ChannelRule("referral", "unmatched UTM (fallback)", tagged=True),
)
#: The channel of visits whose UTM parameters no rule recognised (the last rule).
UNMATCHED_CHANNEL = CHANNEL_RULES[-1].channel
REFERRER_KINDS = ("empty", "own_domain", "search_engine", "other")

_SEPARATORS = re.compile(r"[\s_\-]+")
_SEARCH_HOST = re.compile(r"^(?:[a-z]{1,3}\.)?(?:" + "|".join(re.escape(p) for p in SEARCH_ENGINE_REFERRERS) + ")")


def _clean_text(values: pd.Series, *, collapse: bool) -> pd.Series:
    """Lower-case and strip; with ``collapse`` runs of spaces, ``-`` and ``_`` become one ``_``."""
    text = values.astype("string").str.strip().str.lower()
    text = text.str.replace(_SEPARATORS, "_", regex=True).str.strip("_") if collapse else \
        text.str.replace(r"\s+", " ", regex=True)
    return text.mask(text.isin(EMPTY_VALUES))


def _alias_lookup(aliases: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Cleaned spelling -> canonical value, each canonical value also mapping to itself."""
    spellings = [(alias, canonical) for canonical, names in aliases.items() for alias in (canonical, *names)]
    cleaned = _clean_text(pd.Series([alias for alias, _ in spellings]), collapse=True)
    lookup: dict[str, str] = {}
    for spelling, (alias, canonical) in zip(cleaned, spellings, strict=True):
        if lookup.setdefault(spelling, canonical) != canonical:
            raise ValueError(f"alias {alias!r} is listed for both {lookup[spelling]!r} and {canonical!r}; "
                             "keep it under one canonical value.")
    return lookup


_SOURCE_LOOKUP = _alias_lookup(SOURCE_ALIASES)
_MEDIUM_LOOKUP = _alias_lookup(MEDIUM_ALIASES)


def _parameters(url: str) -> tuple:
    """The UTM fields (first non-blank value, NA otherwise) and click-id presence of one URL."""
    try:
        parts = urlsplit(url)
        text = "&".join(p for p in (parts.query, parts.fragment) if p)
    except ValueError:  # a malformed host such as "http://[shop": read whatever follows "?"
        text = url.partition("?")[2].replace("#", "&")
    found: dict[str, str] = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        key = key.strip().lower().replace("-", "_")
        if key not in found and value.strip():
            found[key] = value
    return (*(found.get(field, pd.NA) for field in UTM_FIELDS), *(field in found for field in CLICK_IDS))


def _distinct(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Each row's code among the distinct non-missing values (missing: ``len(uniques)``), and those values."""
    codes, uniques = pd.factorize(values.astype("string"), use_na_sentinel=True)
    return np.where(codes < 0, len(uniques), codes), [str(value) for value in uniques]


_CLICK_ID_VALUE = r"(?i)((?:^|[?&#;])\s*(?:gclid|fbclid)\s*=)[^&#;]+"


def _url_keys(urls: pd.Series) -> pd.Series:
    """URLs with click-id values blinded: a click id is unique per click, so URLs differing only
    there are parsed once."""
    keys = urls.astype("string")
    clicked = keys.str.contains("clid", case=False, regex=False).fillna(False).to_numpy(bool)
    keys[clicked] = keys[clicked].str.replace(_CLICK_ID_VALUE, r"\1x", regex=True)
    return keys


def parse_utm(urls: pd.Series) -> pd.DataFrame:
    """The raw UTM fields and click ids of each landing URL, as the link's author wrote them.

    Returns a frame on ``urls``' index with ``utm_source``, ``utm_medium``,
    ``utm_campaign``, ``utm_term`` and ``utm_content`` (string, NA where absent or blank;
    percent- and plus-encoding decoded, case kept) and ``gclid`` and ``fbclid`` (True where
    the URL carries that click id). Parameter names are matched in any case
    (``UTM_Source``); a repeated parameter keeps its first non-blank value; parameters after
    ``#`` are read too. Each distinct URL is parsed once.
    """
    if not isinstance(urls, pd.Series):
        raise TypeError(f"urls must be a pandas Series of landing URLs (sessions['landing_url']), "
                        f"got {type(urls).__name__}.")
    # click ids are unique per click: blind their values so that URLs differing only there parse once
    codes, uniques = _distinct(_url_keys(urls))
    rows = [_parameters(url) for url in uniques] + [(*([pd.NA] * len(UTM_FIELDS)), *([False] * len(CLICK_IDS)))]
    table = pd.DataFrame(index=urls.index)
    for position, field in enumerate(UTM_FIELDS):
        table[field] = pd.array([row[position] for row in rows], dtype="string").take(codes)
    for position, field in enumerate(CLICK_IDS, start=len(UTM_FIELDS)):
        table[field] = np.array([row[position] for row in rows], dtype=bool)[codes]
    return table


def normalise_campaign(values: pd.Series) -> pd.Series:
    """Campaign names cleaned as UTM campaigns are: lower case, stripped, separators collapsed to ``_``.

    ``BFCM_2026``, ``bfcm-2026`` and ``BFCM 2026`` all give ``bfcm_2026``; use it on the
    ``campaign`` column of ``ad_spend`` or ``email_campaigns`` before joining them to visits.
    """
    return _clean_text(pd.Series(values), collapse=True)


def normalise_utm(parsed: pd.DataFrame) -> pd.DataFrame:
    """UTM fields cleaned and mapped to one spelling each (see the module docstring).

    ``parsed`` is :func:`parse_utm`'s output (any frame with the five ``utm_*`` columns).
    Source and medium: lower case, stripped, runs of spaces/``-``/``_`` collapsed to ``_``,
    then mapped through :data:`SOURCE_ALIASES` / :data:`MEDIUM_ALIASES`; a value with no
    alias is kept cleaned (and will show in :func:`unmatched_utm` if no rule knows it).
    Campaign: the same cleaning, no aliases. Term and content: lower case, stripped, spaces
    squeezed. Values such as ``(none)`` or ``null`` become NA. Other columns (the click ids)
    are carried over unchanged.
    """
    require_columns(parsed, UTM_FIELDS, "the parsed UTM table (parse_utm's output)")
    table = parsed.copy()
    for field, lookup in (("utm_source", _SOURCE_LOOKUP), ("utm_medium", _MEDIUM_LOOKUP)):
        table[field] = _on_distinct(parsed[field], lambda values, lookup=lookup: _canonical(values, lookup))
    table["utm_campaign"] = _on_distinct(parsed["utm_campaign"], lambda values: _clean_text(values, collapse=True))
    for field in ("utm_term", "utm_content"):
        table[field] = _on_distinct(parsed[field], lambda values: _clean_text(values, collapse=False))
    return table


def _canonical(values: pd.Series, lookup: dict[str, str]) -> pd.Series:
    """Cleaned values mapped through an alias lookup; values without an alias stay cleaned."""
    cleaned = _clean_text(values, collapse=True)
    return cleaned.map(lambda v: lookup.get(v, v), na_action="ignore").astype("string")


def _on_distinct(values: pd.Series, clean) -> pd.Series:
    """``clean`` (Series -> Series) run on the distinct values only and spread back (visits share few values)."""
    codes, uniques = _distinct(values)
    cleaned = clean(pd.Series([*uniques, pd.NA], dtype="string")).astype("string")
    return pd.Series(cleaned.array.take(codes), index=values.index)


def _host(url: str) -> str:
    """The lower-case host of a URL (scheme optional), without ``www.``; '' if there is none."""
    text = url.strip()
    if not text:
        return ""
    if "://" not in text:
        text = "//" + text
    try:
        host = urlsplit(text).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def _referrer_kinds(referrers: pd.Series, landing_urls: pd.Series,
                    own_domains: tuple[str, ...]) -> tuple[pd.arrays.StringArray, np.ndarray]:
    """Each visit's referrer host (NA if none) and its kind, each distinct (referrer, landing host) pair decided once.

    Kinds: ``empty``; ``own_domain`` (the landing page's host, one of ``own_domains``, or a
    subdomain or parent domain of one); ``search_engine`` (:data:`SEARCH_ENGINE_REFERRERS`);
    ``other``.
    """
    referrer_codes, referrer_values = _distinct(referrers)
    landing_codes, landing_values = _distinct(_url_keys(landing_urls))
    referrer_hosts = [*map(_host, referrer_values), ""]
    landing_hosts = [*map(_host, landing_values), ""]
    pairs, pair_of_row = np.unique(referrer_codes * len(landing_hosts) + landing_codes, return_inverse=True)

    def kind(host: str, landing: str) -> str:
        if not host:
            return "empty"
        own = (landing, *own_domains) if landing else own_domains
        if any(host == domain or host.endswith("." + domain) or domain.endswith("." + host) for domain in own):
            return "own_domain"
        return "search_engine" if _SEARCH_HOST.search(host) else "other"

    kinds = np.array([kind(referrer_hosts[pair // len(landing_hosts)], landing_hosts[pair % len(landing_hosts)])
                      for pair in pairs.tolist()], dtype=object)
    hosts = pd.array([host or pd.NA for host in referrer_hosts], dtype="string").take(referrer_codes)
    return hosts, kinds[pair_of_row.ravel()]


def classify_sessions(sessions: pd.DataFrame, *, own_domains: Iterable[str] = ()) -> pd.DataFrame:
    """Each visit's normalised UTM, referrer host and kind, channel and the rule that gave it.

    ``sessions`` needs ``landing_url`` and ``referrer`` (``session_id`` is carried when
    present). Returns a frame on ``sessions``' index: ``session_id``, the normalised
    ``utm_*`` fields, ``gclid``, ``fbclid``, ``tagged`` (the URL has a UTM source or medium),
    ``referrer_host``, ``referrer_kind`` (``empty``; ``own_domain``: the landing page's host
    or a subdomain of it, or one of ``own_domains``; ``search_engine``; ``other``),
    ``channel`` (categorical over ``CHANNELS``) and ``rule`` (the name of the first rule of
    :data:`CHANNEL_RULES` that matched).
    """
    require_columns(sessions, ("landing_url", "referrer"), "sessions")
    own = tuple(_host(domain) for domain in own_domains)
    # the same visits are often classified again (each notebook cell, each grading test): the result
    # is a function of the two columns alone, so the last few are kept by a fingerprint of them
    key = (_fingerprint(sessions[["landing_url", "referrer"]]), own)
    if key in _CLASSIFIED:
        _CLASSIFIED.move_to_end(key)
        table = _CLASSIFIED[key].copy()
    else:
        table = _classify(sessions[["landing_url", "referrer"]], own)
        _CLASSIFIED[key] = table.copy()
        while len(_CLASSIFIED) > _CLASSIFIED_KEPT:
            _CLASSIFIED.popitem(last=False)
    table.index = sessions.index
    if "session_id" in sessions.columns:
        table.insert(0, "session_id", sessions["session_id"].to_numpy())
    return table


_CLASSIFIED: OrderedDict = OrderedDict()
_CLASSIFIED_KEPT = 4


def _fingerprint(frame: pd.DataFrame) -> str:
    hashed = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    return hashlib.blake2b(hashed.tobytes(), digest_size=16).hexdigest() + f":{len(frame)}"


def _classify(sessions: pd.DataFrame, own: tuple[str, ...]) -> pd.DataFrame:
    table = normalise_utm(parse_utm(sessions["landing_url"]))
    table["tagged"] = (table["utm_source"].notna() | table["utm_medium"].notna()).to_numpy(dtype=bool)
    hosts, kinds = _referrer_kinds(sessions["referrer"], sessions["landing_url"], own)
    table["referrer_host"] = hosts
    table["referrer_kind"] = pd.Categorical(kinds, categories=REFERRER_KINDS)
    rule_of = np.full(len(table), -1)
    for position, rule in enumerate(CHANNEL_RULES):
        match = rule_of < 0
        if rule.sources is not None:
            match &= table["utm_source"].isin(rule.sources).to_numpy(dtype=bool)
        if rule.mediums is not None:
            named = table["utm_medium"].isin([m for m in rule.mediums if m is not MISSING]).to_numpy(dtype=bool)
            match &= named | (table["utm_medium"].isna().to_numpy() if MISSING in rule.mediums else False)
        if rule.click_id is not None:
            match &= table[rule.click_id].to_numpy(dtype=bool)
        if rule.tagged is not None:
            match &= table["tagged"].to_numpy() == rule.tagged
        if rule.referrer is not None:
            match &= (table["referrer_kind"] == rule.referrer).to_numpy(dtype=bool)
        rule_of[match] = position
    names = [rule.name for rule in CHANNEL_RULES]
    table["channel"] = pd.Categorical.from_codes([CHANNELS.index(r.channel) for r in CHANNEL_RULES], CHANNELS)[rule_of]
    table["rule"] = pd.Categorical.from_codes(rule_of, categories=names)
    return table


def channel_of(sessions: pd.DataFrame, *, own_domains: Iterable[str] = ()) -> pd.Series:
    """The channel of each visit (categorical over ``CHANNELS``, on ``sessions``' index).

    From the landing URL's UTM parameters and click ids and the referrer, by
    :data:`CHANNEL_RULES`; see :func:`classify_sessions` for the columns behind it.
    """
    return classify_sessions(sessions, own_domains=own_domains)["channel"].rename("channel")


def unmatched_utm(sessions: pd.DataFrame, *, own_domains: Iterable[str] = ()) -> pd.DataFrame:
    """The source/medium pairs no channel rule recognised, most visits first.

    These visits were given :data:`UNMATCHED_CHANNEL`; each pair listed needs an alias in
    :data:`SOURCE_ALIASES`/:data:`MEDIUM_ALIASES` or a rule in :data:`CHANNEL_RULES`.
    Columns: ``utm_source``, ``utm_medium`` (normalised; NA when missing), ``sessions`` and
    ``examples`` (up to three raw source / medium spellings behind the pair). Empty when
    every tagged visit matched a rule.
    """
    table = classify_sessions(sessions, own_domains=own_domains)
    unmatched = table["rule"] == CHANNEL_RULES[-1].name
    raw = parse_utm(sessions.loc[unmatched.to_numpy(), "landing_url"])
    spelled = raw["utm_source"].fillna("(none)") + " / " + raw["utm_medium"].fillna("(none)")
    found = table.loc[unmatched, ["utm_source", "utm_medium"]].assign(spelled=spelled.to_numpy())
    if found.empty:
        return pd.DataFrame({"utm_source": pd.array([], dtype="string"), "utm_medium": pd.array([], dtype="string"),
                             "sessions": np.array([], dtype="int64"), "examples": pd.array([], dtype="string")})
    grouped = found.groupby(["utm_source", "utm_medium"], dropna=False, sort=False)
    out = grouped.size().rename("sessions").to_frame()
    out["examples"] = grouped["spelled"].agg(lambda s: ", ".join(s.value_counts().index[:3]))
    return out.reset_index().sort_values("sessions", ascending=False, kind="stable").reset_index(drop=True)


def utm_quality(sessions: pd.DataFrame) -> pd.DataFrame:
    """How many visits carried messy UTM values: a table to show why cleaning is needed.

    One row per issue:

    - ``utm_source`` / ``utm_medium`` *format variant*: the value differs from its clean
      form only by case, spaces or separators (``Facebook``, ``Paid-Social``);
    - ``utm_source`` / ``utm_medium`` *alias*: another name for a known value (``fb``,
      ``ppc``, ``e-mail``);
    - ``utm_medium`` *missing*: a source without a medium;
    - ``utm_campaign`` *format variant*: the name changes when lower-cased and cleaned;
    - *unmatched*: tagged visits no channel rule recognised (see :func:`unmatched_utm`);
    - *any of the above*: visits with at least one issue.

    Columns: ``field``, ``issue``, ``sessions``, ``share`` (of all visits),
    ``distinct_values`` (raw spellings involved) and ``examples`` (the three most frequent).
    """
    require_columns(sessions, ("landing_url", "referrer"), "sessions")
    raw = parse_utm(sessions["landing_url"])
    table = classify_sessions(sessions)
    issues: list[tuple[str, str, np.ndarray, pd.Series]] = []
    for field in ("utm_source", "utm_medium"):
        present = raw[field].notna().to_numpy(dtype=bool)
        cleaned = _on_distinct(raw[field], lambda values: _clean_text(values, collapse=True))
        canonical = table[field]
        changed = present & (raw[field] != canonical).fillna(True).to_numpy(dtype=bool) & canonical.notna().to_numpy()
        alias = changed & (cleaned != canonical).fillna(False).to_numpy(dtype=bool)
        issues.append((field, "format variant (case, spaces, separators)", changed & ~alias, raw[field]))
        issues.append((field, "alias of a known value", alias, raw[field]))
    no_medium = (table["utm_source"].notna() & table["utm_medium"].isna()).to_numpy(dtype=bool)
    issues.append(("utm_medium", "missing (source without medium)", no_medium, raw["utm_source"]))
    campaign_changed = (raw["utm_campaign"].notna() & (raw["utm_campaign"] != table["utm_campaign"]).fillna(True))
    issues.append(("utm_campaign", "format variant (case, spaces, separators)",
                   campaign_changed.to_numpy(dtype=bool), raw["utm_campaign"]))
    unmatched = (table["rule"] == CHANNEL_RULES[-1].name).to_numpy(dtype=bool)
    issues.append(("utm_source / utm_medium", "unmatched by any channel rule", unmatched,
                   raw["utm_source"].fillna("(none)") + " / " + raw["utm_medium"].fillna("(none)")))
    any_issue = np.logical_or.reduce([mask for _, _, mask, _ in issues])
    rows = [*issues, ("any", "any of the above", any_issue, None)]
    total = len(sessions)
    records = []
    for field, issue, mask, values in rows:
        involved = values[mask] if values is not None else pd.Series([], dtype="string")
        counts = involved.value_counts()
        records.append({"field": field, "issue": issue, "sessions": int(mask.sum()),
                        "share": float(ratio(mask.sum(), total)),
                        "distinct_values": len(counts) if values is not None else pd.NA,
                        "examples": ", ".join(map(str, counts.index[:3]))})
    out = pd.DataFrame(records)
    out["distinct_values"] = out["distinct_values"].astype("Int64")
    return out


def _channel_costs(ad_spend: pd.DataFrame | None, email_campaigns: pd.DataFrame | None) -> pd.Series:
    cost = pd.Series(np.nan, index=pd.CategoricalIndex(CHANNELS, categories=CHANNELS, name="channel"))
    if ad_spend is not None:
        require_columns(ad_spend, ("channel", "spend_usd"), "ad_spend")
        unknown = sorted(set(ad_spend["channel"].dropna().astype(str)) - set(PAID_CHANNELS))
        if unknown:
            raise ValueError(f"ad_spend has channel(s) {unknown} that are not bought per click or impression; "
                             f"ad_spend.channel must be one of {', '.join(PAID_CHANNELS)} (email cost goes in "
                             "email_campaigns).")
        spend = ad_spend.groupby(ad_spend["channel"].astype(str))["spend_usd"].sum()
        cost.loc[list(PAID_CHANNELS)] = spend.reindex(PAID_CHANNELS, fill_value=0.0).to_numpy(dtype=float)
    if email_campaigns is not None:
        require_columns(email_campaigns, ("cost_usd",), "email_campaigns")
        cost.loc["email"] = float(email_campaigns["cost_usd"].sum())
    return cost


def channel_summary(sessions: pd.DataFrame, orders: pd.DataFrame, ad_spend: pd.DataFrame | None = None,
                    email_campaigns: pd.DataFrame | None = None, *, alpha: float = 0.05,
                    own_domains: Iterable[str] = ()) -> pd.DataFrame:
    """Per channel: visits, orders, conversion, revenue and, with spend, cost and ROAS.

    Each order is credited to the visit that placed it (``orders.session_id``: last click)
    and so to that visit's channel (:func:`channel_of`). One row per channel of
    ``CHANNELS``, in that order, zeros where a channel had no visits:

    - ``sessions``, ``converting_sessions`` (visits with an order), ``orders``;
    - ``conversion_rate`` = converting sessions / sessions (the same as orders / sessions
      when no visit places two orders) with its Wilson interval ``conversion_low`` /
      ``conversion_high`` at level 1 - ``alpha``;
    - ``revenue`` (sum of ``revenue_usd``, refunded orders included, as ad platforms count
      it; drop refunded orders first for net figures), ``revenue_per_session``, ``aov``;
    - with ``ad_spend`` and/or ``email_campaigns``: ``cost`` (ad spend per paid channel,
      0 for a paid channel without spend rows; the sum of ``email_campaigns.cost_usd`` for
      email; NaN for channels nothing was paid for), ``roas`` = revenue / cost and ``cpa``
      = cost / orders. Pass spend of the same period as the visits.
    """
    require_columns(sessions, ("session_id", "landing_url", "referrer"), "sessions")
    require_columns(orders, ("session_id", "revenue_usd"), "orders")
    if sessions["session_id"].duplicated().any():
        repeated = sessions.loc[sessions["session_id"].duplicated(), "session_id"].unique()[:5].tolist()
        raise ValueError(f"sessions has repeated session_id(s) {repeated}; pass one row per visit.")
    known = orders["session_id"].isin(sessions["session_id"])
    if not known.all():
        stray = orders.loc[~known, "session_id"].unique()[:5].tolist()
        raise ValueError(f"{int((~known).sum())} order(s) belong to visits not in sessions (session_id {stray}...); "
                         "pass the sessions of the same period, or keep only orders whose session_id is in sessions.")
    channel = channel_of(sessions, own_domains=own_domains)
    channel_by_session = pd.Series(channel.to_numpy(), index=sessions["session_id"].to_numpy())
    order_channel = pd.Categorical(channel_by_session.reindex(orders["session_id"].to_numpy()).to_numpy(),
                                   categories=CHANNELS)
    index = pd.CategoricalIndex(CHANNELS, categories=CHANNELS, name="channel")
    table = pd.DataFrame(index=index)
    table["sessions"] = channel.value_counts().reindex(index, fill_value=0).astype("int64")
    converting = pd.Categorical(channel_by_session.loc[orders["session_id"].unique()].to_numpy(), categories=CHANNELS)
    table["converting_sessions"] = pd.Series(converting).value_counts().reindex(index, fill_value=0).astype("int64")
    table["orders"] = pd.Series(order_channel).value_counts().reindex(index, fill_value=0).astype("int64")
    table["conversion_rate"] = ratio(table["converting_sessions"], table["sessions"])
    table["conversion_low"], table["conversion_high"] = wilson_interval(table["converting_sessions"],
                                                                        table["sessions"], alpha)
    revenue = orders["revenue_usd"].astype(float).groupby(order_channel, observed=False).sum()
    table["revenue"] = revenue.reindex(index, fill_value=0.0).to_numpy(dtype=float)
    table["revenue_per_session"] = ratio(table["revenue"], table["sessions"])
    table["aov"] = ratio(table["revenue"], table["orders"])
    if ad_spend is not None or email_campaigns is not None:
        table["cost"] = _channel_costs(ad_spend, email_campaigns).to_numpy()
        table["roas"] = ratio(table["revenue"], table["cost"])
        table["cpa"] = ratio(table["cost"], table["orders"])
    return table.reset_index()


def rules_table(classified: pd.DataFrame | None = None) -> pd.DataFrame:
    """:data:`CHANNEL_RULES` as a table, one row per rule in the order they are tried: the grouping as data.

    Columns: ``order`` (1 is tried first), ``channel``, ``rule`` (its name) and its conditions
    ``sources`` and ``mediums`` (comma-separated; ``(missing)`` stands for :data:`MISSING`),
    ``click_id``, ``tagged`` and ``referrer``, NA where the rule sets no condition. With
    ``classified`` (:func:`classify_sessions`' output) ``sessions`` counts the visits each rule
    decided and ``share`` is their share of all visits in ``classified``.
    """
    def listed(values):
        if values is None:
            return pd.NA
        return ", ".join("(missing)" if value is MISSING else value for value in values)

    table = pd.DataFrame({
        "order": np.arange(1, len(CHANNEL_RULES) + 1),
        "channel": [rule.channel for rule in CHANNEL_RULES], "rule": [rule.name for rule in CHANNEL_RULES],
        "sources": pd.array([listed(rule.sources) for rule in CHANNEL_RULES], dtype="string"),
        "mediums": pd.array([listed(rule.mediums) for rule in CHANNEL_RULES], dtype="string"),
        "click_id": pd.array([rule.click_id for rule in CHANNEL_RULES], dtype="string"),
        "tagged": pd.array([rule.tagged for rule in CHANNEL_RULES], dtype="boolean"),
        "referrer": pd.array([rule.referrer for rule in CHANNEL_RULES], dtype="string")})
    if classified is not None:
        require_columns(classified, ("rule",), "the classified sessions (classify_sessions' output)")
        counts = classified["rule"].astype("string").value_counts()
        table["sessions"] = counts.reindex(table["rule"], fill_value=0).to_numpy(dtype="int64")
        table["share"] = ratio(table["sessions"].to_numpy(dtype=float), float(len(classified)))
    return table


#: What cleaning did to a raw UTM value (:func:`utm_spellings`).
SPELLING_CHANGES = ("none", "format variant", "alias", "empty value")


def utm_spellings(sessions: pd.DataFrame, field: str = "utm_source") -> pd.DataFrame:
    """Every raw spelling of a UTM field in the landing URLs, the value it is cleaned to, and why.

    ``field`` is ``utm_source``, ``utm_medium`` or ``utm_campaign``. One row per raw spelling
    (visits without the field are left out). Columns: ``raw``, ``normalised`` (as
    :func:`normalise_utm` gives it; NA for a value meaning "not set"), ``change``, one of
    :data:`SPELLING_CHANGES`: ``none`` (already clean), ``format variant`` (only case, spaces
    or separators differ: ``Facebook``, ``Paid-Social``), ``alias`` (another name of a known
    value: ``fb``, ``ppc``) or ``empty value`` (``(none)``, ``null``); and ``sessions``.
    Spellings of the same clean value are kept together, the most visited value first.
    """
    if field not in ("utm_source", "utm_medium", "utm_campaign"):
        raise ValueError(f"field is utm_source, utm_medium or utm_campaign, got {field!r}.")
    require_columns(sessions, ("landing_url",), "sessions")
    raw = parse_utm(sessions["landing_url"])
    normalised = normalise_utm(raw)[field]
    table = pd.DataFrame({"raw": raw[field], "normalised": normalised}).dropna(subset=["raw"])
    table = table.groupby(["raw", "normalised"], dropna=False, sort=False).size().rename("sessions").reset_index()
    if table.empty:
        return pd.DataFrame({"raw": pd.array([], dtype="string"), "normalised": pd.array([], dtype="string"),
                             "change": pd.Categorical([], categories=SPELLING_CHANGES),
                             "sessions": np.array([], dtype="int64")})
    cleaned = _clean_text(table["raw"], collapse=True)
    change = np.select([table["normalised"].isna().to_numpy(), (table["raw"] == table["normalised"]).fillna(False).to_numpy(bool),
                        (cleaned == table["normalised"]).fillna(False).to_numpy(bool)],
                       ["empty value", "none", "format variant"], "alias")
    table.insert(2, "change", pd.Categorical(change, categories=SPELLING_CHANGES))
    total = table.groupby("normalised", dropna=False)["sessions"].transform("sum")
    table = table.assign(_total=total.to_numpy()).sort_values(["_total", "normalised", "sessions"],
                                                              ascending=[False, True, False], kind="stable")
    table = table.drop(columns="_total").reset_index(drop=True)
    table["raw"] = table["raw"].astype("string")
    table["normalised"] = table["normalised"].astype("string")
    return table
