"""ChannelAttribution's example paths, fetched once from the package index.

The Python package ChannelAttribution (GPL-3) documents its models on ``Data.csv``:
10,000 distinct paths over channels ``alpha`` to ``mi`` (twelve names of Greek letters),
with ``path;total_conversions;total_conversion_value;total_null`` (``;``-separated). The
file is in its source archive (``src/cypack/data/Data.csv``) but not in the installed
package, and being GPL data it is not committed here. :func:`channelattribution_paths`
downloads the 2.2.5 source archive from the index pip uses (``PIP_INDEX_URL`` or pip's
default), checks it against the SHA-256 recorded below, extracts only ``Data.csv`` into
``data/generated/channelattribution/`` (git-ignored) and reads it from there afterwards.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pandas as pd

from cbec import paths

PACKAGE, VERSION = "channelattribution", "2.2.5"
ARCHIVE = f"{PACKAGE}-{VERSION}.tar.gz"
#: SHA-256 of the source archive as the index lists it, and of the CSV inside it.
ARCHIVE_SHA256 = "01c597dabdcd436e358a6c05a191151db2eaabf7c12a6875fb3a087dcf609448"
CSV_SHA256 = "ebf235abf93a7fe0d1918a61ad30cfe39f4ef3fe2ed73784ced25b9120c3138d"
MEMBER = f"{PACKAGE}-{VERSION}/src/cypack/data/Data.csv"
TIMEOUT_SECONDS = 60


class ExampleDataUnavailable(RuntimeError):
    """The example data is not cached and could not be downloaded (offline, or the index is unreachable)."""


def cache_folder() -> Path:
    """Where the extracted ``Data.csv`` is kept: ``data/generated/channelattribution``."""
    return paths.generated_data_dir() / "channelattribution"


#: The public Python Package Index's simple API, where the archive is published.
PUBLIC_INDEX = "https://pypi.org/simple/"


def default_index_url() -> str:
    """The simple index to download from: ``PIP_INDEX_URL`` if set (a mirror), else the public index."""
    configured = os.environ.get("PIP_INDEX_URL", "").strip()
    return configured.split()[0] if configured else PUBLIC_INDEX


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _offline_help(index_url: str, reason: object) -> ExampleDataUnavailable:
    return ExampleDataUnavailable(
        f"could not download {ARCHIVE} from the package index {index_url} ({reason}). Connect to the "
        f"internet (or set PIP_INDEX_URL to a reachable mirror) and call again: the CSV is cached in "
        f"{cache_folder()} after one download. Or fetch {ARCHIVE} by hand (the 'Download files' page of "
        f"ChannelAttribution {VERSION} on PyPI) and pass archive='path/to/{ARCHIVE}'.")


def _get(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": "cbec-lab"})
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
        return response.read()


def archive_url(index_url: str) -> str:
    """The download address of the 2.2.5 source archive, read from the index's project page (PEP 503)."""
    page_url = urllib.parse.urljoin(index_url.rstrip("/") + "/", f"{PACKAGE}/")
    page = _get(page_url).decode("utf-8", errors="replace")
    for href in re.findall(r'href="([^"]+)"', page):
        link = urllib.parse.urljoin(page_url, href.replace("&amp;", "&"))
        if urllib.parse.urlsplit(link).path.rsplit("/", 1)[-1].lower() == ARCHIVE:
            return link.split("#", 1)[0]
    raise ExampleDataUnavailable(f"the index page {page_url} lists no {ARCHIVE}; set PIP_INDEX_URL to an index "
                                 f"that has ChannelAttribution {VERSION}, or pass archive=.")


def download_archive(index_url: str | None = None) -> bytes:
    """The verified bytes of the 2.2.5 source archive (raises :class:`ExampleDataUnavailable` offline)."""
    index_url = index_url or default_index_url()
    try:
        data = _get(archive_url(index_url))
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise _offline_help(index_url, getattr(error, "reason", error)) from error
    return data


def _extract_csv(archive: bytes) -> bytes:
    if _sha256(archive) != ARCHIVE_SHA256:
        raise ValueError(f"the archive's SHA-256 is {_sha256(archive)}, not {ARCHIVE_SHA256}: it is not "
                         f"ChannelAttribution {VERSION}'s source archive. Delete it and download again.")
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
        member = tar.getmember(MEMBER)          # only this regular file is read; nothing else is extracted
        if not member.isfile():
            raise ValueError(f"{MEMBER} in {ARCHIVE} is not a regular file.")
        data = tar.extractfile(member).read()
    if _sha256(data) != CSV_SHA256:
        raise ValueError(f"{MEMBER} has SHA-256 {_sha256(data)}, not {CSV_SHA256}.")
    return data


def channelattribution_paths(*, cache_dir: Path | str | None = None, archive: Path | str | None = None,
                             index_url: str | None = None) -> pd.DataFrame:
    """ChannelAttribution 2.2.5's ``Data.csv`` as a DataFrame (``path``, ``total_conversions``,
    ``total_conversion_value``, ``total_null``), paths written ``"alpha > beta"``.

    Read from ``cache_dir`` (default :func:`cache_folder`) when a verified copy is there;
    otherwise taken from ``archive`` (a local ``channelattribution-2.2.5.tar.gz``) or
    downloaded from ``index_url`` (default: the index pip uses), checked against
    :data:`ARCHIVE_SHA256`, and cached. Offline without a cache: :class:`ExampleDataUnavailable`,
    saying what to do.
    """
    folder = Path(cache_dir) if cache_dir is not None else cache_folder()
    target = folder / "Data.csv"
    data = target.read_bytes() if target.is_file() else None
    if data is None or _sha256(data) != CSV_SHA256:
        raw = Path(archive).read_bytes() if archive is not None else download_archive(index_url)
        data = _extract_csv(raw)
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, suffix=".partial", delete=False) as partial:
            partial.write(data)           # a private name, then one rename: parallel callers never see half a file
        Path(partial.name).replace(target)
    frame = pd.read_csv(io.BytesIO(data), sep=";")
    expected = ["path", "total_conversions", "total_conversion_value", "total_null"]
    if list(frame.columns) != expected:
        raise ValueError(f"Data.csv has columns {list(frame.columns)}, expected {expected}.")
    return frame
