"""serve's updates of the served site: only the pages changed since it was built, the rest linked from it.

A dirty MkDocs build writes only the pages whose staged file is newer, and indexes only them for
search, so the served site's search index is kept (SearchIndex) and takes in their entries.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

from .site import build_site


# What a dirty build writes besides the pages it rebuilds (MkDocs 1.6, Material 9), found by
# comparing the files' inodes before and after one.
REWRITTEN_BY_EVERY_BUILD = ("404.html", "sitemap.xml", "sitemap.xml.gz", "search/search_index.json", "search/search_index.js")
SEARCH_INDEX = "search/search_index.json"


def update_site(config_file: Path, docs: Path, previous: Path, output: Path, nav: list, index: SearchIndex | None) -> None:
    """Build into output only the pages changed since previous was built from docs; link the rest from previous.

    For the live preview, where a clean build of a large site would be far too slow.
    previous stays as it was, so a failed update leaves it whole: what MkDocs will write
    is not linked but left for it to create. The navigation and mkdocs.yml must be those
    previous was built with. A dirty build indexes only the pages it rebuilds for search,
    so index, previous's search index (None without one), takes in their entries and is written whole.
    """
    rewritten = {*_outdated_pages(docs, previous), *REWRITTEN_BY_EVERY_BUILD}
    for top, _, names in os.walk(previous):
        folder = output / Path(top).relative_to(previous)
        folder.mkdir(parents=True, exist_ok=True)
        for name in names:
            if (folder / name).relative_to(output).as_posix() not in rewritten:
                os.link(Path(top) / name, folder / name)
    build_site(config_file, docs, output, nav, dirty=True)
    rebuilt = output / SEARCH_INDEX
    if index is not None and rebuilt.is_file():
        index.take(json.loads(rebuilt.read_bytes())["docs"])
        index.write(rebuilt)


def _outdated_pages(docs: Path, built: Path) -> Iterator[str]:
    """The files in built that MkDocs' dirty build will write again: those older than their staged source."""
    for source in (path for path in docs.rglob("*") if path.is_file()):
        relative = source.relative_to(docs).as_posix()
        target = relative.removesuffix(".md") + ".html" if relative.endswith(".md") else relative
        if not (built / target).is_file() or (built / target).stat().st_mtime < source.stat().st_mtime:
            yield target


class SearchIndex:
    """A built site's search index with each page's entries kept as JSON text: taking in a dirty build's
    entries serializes only its pages, not the whole index again (18 MB at 10,000 facts)."""

    def __init__(self, config: str, pages: dict[str, str]):
        self._config = config
        self._pages = pages  # the page's address: its entries as JSON, joined by commas

    @classmethod
    def read(cls, built: Path) -> SearchIndex | None:
        """The search index of the site built in built; None when it has none (no search plugin)."""
        path = built / SEARCH_INDEX
        if not path.is_file():
            return None
        index = json.loads(path.read_bytes())
        found = cls(_json(index["config"]), {})
        found.take(index["docs"])
        return found

    def take(self, entries: list[dict]) -> None:
        """The entries of the pages they belong to, in place of those pages' entries so far."""
        by_page: dict[str, list[str]] = {}
        for entry in entries:
            by_page.setdefault(entry["location"].partition("#")[0], []).append(_json(entry))
        self._pages.update((page, ",".join(texts)) for page, texts in by_page.items())

    def write(self, path: Path) -> None:
        text = f'{{"config":{self._config},"docs":[{",".join(self._pages.values())}]}}'.encode()
        path.write_bytes(text)
        script = path.with_suffix(".js")
        if script.is_file():  # Material's offline plugin inlines the index for pages opened from the disk
            script.write_bytes(b"var __index = " + text)


def _json(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))
