"""Is every link of a built site alive, and does any page reach for the network?"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

_ATTRIBUTES = {"a": "href", "link": "href", "script": "src", "img": "src", "iframe": "src", "source": "src"}
#: pages may link out (a paper, a dataset's home); they may not load anything from outside
_LOADS = {"link", "script", "img", "iframe", "source"}


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name"):
            if attrs.get(key):
                self.ids.add(attrs[key])
        target = attrs.get(_ATTRIBUTES.get(tag, ""))
        if target:
            self.links.append((tag, target))


def _parse(page: Path) -> _Page:
    parsed = _Page()
    parsed.feed(page.read_text(encoding="utf-8", errors="replace"))
    return parsed


def broken_links(site: Path) -> list[str]:
    """Every broken local link or anchor, and every resource loaded from the network."""
    pages = {page.resolve(): _parse(page) for page in site.rglob("*.html")
             if "_static" not in page.relative_to(site).parts}  # theme macros, not pages
    problems = []
    for page, parsed in sorted(pages.items()):
        name = page.relative_to(site.resolve())
        for tag, target in parsed.links:
            parts = urlsplit(target)
            if parts.scheme in ("http", "https") or target.startswith("//"):
                if tag in _LOADS:
                    problems.append(f"{name}: <{tag}> loads {target} from the network")
                continue
            if parts.scheme in ("mailto", "data", "javascript"):
                continue
            destination = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if destination.is_dir():
                destination = destination / "index.html"
            if not destination.exists():
                problems.append(f"{name}: {target} does not exist")
            elif parts.fragment and destination.suffix == ".html":
                anchors = pages.get(destination) or _parse(destination)
                if unquote(parts.fragment) not in anchors.ids:
                    problems.append(f"{name}: {target} points at a missing anchor")
    return problems
