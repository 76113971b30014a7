"""Stage 4, site: MkDocs (Material theme) builds the rendered pages into a new folder.

The folder replaces the published `site/` only when everything in it is built
(see `publish`), so a failed build leaves the previous site as it was.
"""

from __future__ import annotations

import calendar
import contextlib
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from urllib.parse import urljoin, urlsplit

import jinja2
import yaml
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.exceptions import MkDocsException
from mkdocs.utils.yaml import yaml_load

from .errors import ContentError, ContentErrors

# MkDocs' own default (edit/master/docs/) points into the docs folder, which here holds
# generated pages; the files an editor changes live at the repository's top level.
DEFAULT_EDIT_URI = "edit/main/"


def build_site(config_file: Path, docs: Path, output: Path, nav: list, compiled: CompiledTemplates | None = None) -> None:
    """Build the staged docs into output with MkDocs; MkDocs problems become errors on mkdocs.yml.

    `compiled` keeps the theme's compiled templates between builds (see CompiledTemplates).
    """
    logger = logging.getLogger("mkdocs")
    logger.setLevel(logging.WARNING)
    # MkDocs logs why it stopped; collected, the reason goes into the one error line
    # instead of reaching the terminal as a line of its own.
    reasons = _Collected()
    logger.addHandler(reasons)
    try:
        config = load_config(str(config_file), docs_dir=str(docs), site_dir=str(output), nav=nav)
        if compiled is not None:
            compiled.attach(config.theme)
        mkdocs_build(config)
    except (MkDocsException, OSError) as exc:
        message = "; ".join([*reasons.messages, str(exc)])
        raise ContentErrors([ContentError(config_file.name, 0, 0, f"MkDocs could not build the site ({message}): correct {config_file.name}")]) from exc
    finally:
        logger.removeHandler(reasons)


class _Collected(logging.Handler):
    """Keeps the messages of the log records it receives."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextlib.contextmanager
def dated(day: date) -> Iterator[None]:
    """Within, MkDocs takes day as the build date (SOURCE_DATE_EPOCH), then the variable is restored.

    MkDocs stamps the build date into sitemap.xml.gz (the gzip header) and the
    sitemap's lastmod, so the same content built on two days gave different bytes.
    Dated by the content's as-of date instead, a build is byte-for-byte repeatable.
    """
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(calendar.timegm(day.timetuple()))
    try:
        yield
    finally:
        if before is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = before


def edit_base_url(config_file: Path) -> str | None:
    """Where the repository's files are edited (`repo_url` joined with `edit_uri` in mkdocs.yml), or None.

    Read with MkDocs' own YAML loader, so `!ENV` values work as in the build. An
    absolute `edit_uri` works without `repo_url`; an empty one turns edit links off.
    """
    try:
        config = yaml_load(config_file.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ContentErrors([ContentError(config_file.name, 0, 0, f"cannot read the site configuration: {exc}")]) from exc
    repo_url, edit_uri = config.get("repo_url"), config.get("edit_uri", DEFAULT_EDIT_URI)
    if edit_uri == "" or not (repo_url or urlsplit(str(edit_uri)).scheme):
        return None
    base = urljoin(str(repo_url or "").rstrip("/") + "/", str(edit_uri or DEFAULT_EDIT_URI))
    if urlsplit(base).scheme not in ("http", "https"):
        message = f"repo_url {repo_url!r} with edit_uri {edit_uri!r} is not a web address: write an https:// URL"
        raise ContentErrors([ContentError(config_file.name, 0, 0, message)])
    return base.rstrip("/") + "/"


class CompiledTemplates(jinja2.BytecodeCache):
    """The theme's templates, compiled once and kept in memory for the builds that follow.

    MkDocs makes a new Jinja environment on every build and so compiles all of
    Material's templates again, about a second of each rebuild in `serve`. Jinja
    checks each template's source checksum before using its stored code, so an
    edited template is compiled afresh.
    """

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self._code:
            bucket.bytecode_from_string(self._code[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()

    def attach(self, theme) -> None:
        """Make every environment this theme creates use this cache."""
        make_env = theme.get_env

        def get_env() -> jinja2.Environment:
            env = make_env()
            env.bytecode_cache = self
            return env

        theme.get_env = get_env


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
