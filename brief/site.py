"""Stage 4, site: MkDocs (Material theme) builds the rendered pages into a new folder.

The folder replaces the published `site/` only when everything in it is built
(see `publish`), so a failed build leaves the previous site as it was.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.exceptions import MkDocsException

from .errors import ContentError, ContentErrors


def build_site(config_file: Path, docs: Path, output: Path, nav: list) -> None:
    """Build the staged docs into output with MkDocs; MkDocs problems become errors on mkdocs.yml."""
    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    try:
        config = load_config(str(config_file), docs_dir=str(docs), site_dir=str(output), nav=nav)
        mkdocs_build(config)
    except (MkDocsException, OSError) as exc:
        raise ContentErrors([ContentError(config_file.name, 0, 0, f"MkDocs could not build the site: {exc}")]) from exc


def new_output_folder(site: Path) -> Path:
    """An empty folder beside site/, on the same file system so the final swap is a rename."""
    return Path(tempfile.mkdtemp(prefix=".site-build-", dir=site.parent))


def publish(built: Path, site: Path) -> None:
    """Put the built folder in place of site/ with renames, then remove the old one."""
    old = site.with_name(f".site-old-{built.name.removeprefix('.site-build-')}")
    if site.exists():
        site.rename(old)
    built.rename(site)
    shutil.rmtree(old, ignore_errors=True)
