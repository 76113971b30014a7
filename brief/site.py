"""Stage 4, site: MkDocs (Material theme) builds the rendered pages into a new folder.

The folder replaces the published `site/` only when everything in it is built
(see `publish`), so a failed build leaves the previous site as it was.
"""

from __future__ import annotations

import calendar
import contextlib
import errno
import fcntl
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from urllib.parse import urljoin, urlsplit

import yaml
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.exceptions import MkDocsException
from mkdocs.utils.yaml import yaml_load

from .cache import CompiledTemplates
from .errors import ContentError, ContentErrors, display_path
from .load import leads_outside, read_bytes

# MkDocs' own default (edit/master/docs/) points into the docs folder, which here holds
# generated pages; the files an editor changes live at the repository's top level.
DEFAULT_EDIT_URI = "edit/main/"
DEFAULT_STALE_AFTER_DAYS = 180


def build_site(config_file: Path, docs: Path, output: Path, nav: list, dirty: bool = False) -> None:
    """Build the staged docs into output with MkDocs; MkDocs problems become errors on mkdocs.yml.

    `dirty` builds only the pages whose staged file is newer than the one in output (see site_update.py).
    The theme's compiled templates are kept in this process for its next build (see theme_hook.py).
    """
    logger = logging.getLogger("mkdocs")
    logger.setLevel(logging.WARNING)
    # MkDocs logs why it stopped; collected, the reason goes into the one error line
    # instead of reaching the terminal as a line of its own.
    reasons = _Collected()
    logger.addHandler(reasons)
    try:
        hooks = [*_configured_hooks(config_file), str(THEME_HOOK)]
        config = load_config(str(config_file), docs_dir=str(docs), site_dir=str(output), nav=nav, hooks=hooks)
        with _quiet_about_dirty_builds():
            mkdocs_build(config, dirty=dirty)
    except OSError as exc:
        if exc.errno not in WRITE_TROUBLE:
            raise _mkdocs_error(config_file, reasons.messages, exc) from exc
        raise ContentErrors([write_error(output.parent, exc)]) from exc
    except MkDocsException as exc:
        raise _mkdocs_error(config_file, reasons.messages, exc) from exc
    finally:
        logger.removeHandler(reasons)


def _mkdocs_error(config_file: Path, logged: list[str], exc: Exception) -> ContentErrors:
    message = "; ".join([*logged, str(exc)])
    return ContentErrors([ContentError(config_file.name, 0, 0, f"MkDocs could not build the site ({message}): correct {config_file.name}")])


# What to do when a folder cannot be written: these say nothing about mkdocs.yml or the content.
WRITE_TROUBLE = {
    errno.ENOSPC: "free space on its disk, then run this again",
    errno.EDQUOT: "free space within your disk quota, then run this again",
    errno.EROFS: "its file system is read-only: work on a copy of the project on a writable disk",
    errno.EACCES: "make it writable for you (chmod u+w), then run this again",
    errno.EPERM: "make it writable for you (chmod u+w, or chattr -i), then run this again",
}


def write_error(folder: Path, exc: OSError) -> ContentError:
    """Why nothing can be written into folder (a full disk, a read-only folder), named, and what to do."""
    return ContentError(f"{folder}/", 0, 0, f"cannot be written ({exc.strerror}): {WRITE_TROUBLE[exc.errno]}")


class _WithoutDirtyWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("A 'dirty' build is being performed")


@contextlib.contextmanager
def _quiet_about_dirty_builds() -> Iterator[None]:
    """MkDocs warns on every dirty build, and under `strict: true` that warning alone stops it."""
    logger, quiet = logging.getLogger("mkdocs.commands.build"), _WithoutDirtyWarning()
    logger.addFilter(quiet)
    try:
        yield
    finally:
        logger.removeFilter(quiet)


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


def read_site_config(config_file: Path) -> dict:
    """mkdocs.yml as data, with what it INHERITs, read with MkDocs' own YAML loader so `!ENV` values work as in the build.

    It and what it inherits are read only when they are regular files inside the project (its folder),
    so a link or `INHERIT:` cannot publish another file, nor a named pipe stop the build.
    """
    config = _config_file(config_file, config_file.parent)
    if "INHERIT" in config:
        _check_inherited(config_file, config)
        with config_file.open("rb") as file:  # MkDocs merges in what a file inherits only when it reads a file
            config = yaml_load(file)
    _check_named_paths(config_file, config)
    return config


def _check_named_paths(config_file: Path, config: dict) -> None:
    """Raise ContentErrors if a file or folder the settings name for MkDocs to read (`hooks`, which it runs as
    Python, `theme.custom_dir`, `watch`) leads outside the project."""
    theme = config.get("theme")
    named = [*_listed(config.get("hooks")), *_listed(config.get("watch"))]
    named += [theme["custom_dir"]] if isinstance(theme, dict) and isinstance(theme.get("custom_dir"), str) else []
    root = config_file.parent
    outside = [str(path) for path in named if leads_outside(root / str(path), root)]
    if outside:
        message = f"{', '.join(outside)} leads outside the project: keep what MkDocs reads (hooks, theme.custom_dir, watch) inside it"
        raise ContentErrors([ContentError(config_file.name, 0, 0, message)])


def _listed(value: object) -> list[str]:
    return [str(item) for item in value] if isinstance(value, list) else []


def _config_file(path: Path, root: Path) -> dict:
    """One configuration file's own settings (what it inherits not merged in)."""
    if not os.path.lexists(path):
        raise ContentErrors([ContentError(display_path(path, root), 0, 0, "is missing: create it (see README.md, Layout)")])
    raw, problems = read_bytes(path, root)
    if raw is None:
        raise ContentErrors(problems)
    try:
        config = yaml_load(raw.decode("utf-8")) or {}
    except (UnicodeDecodeError, yaml.YAMLError, MkDocsException) as exc:
        raise ContentErrors([_config_error(display_path(path, root), exc)]) from exc
    if not isinstance(config, dict):
        raise ContentErrors([ContentError(display_path(path, root), 0, 0, "expected settings (`key: value` lines) at the top level: correct it")])
    return config


def _check_inherited(config_file: Path, config: dict) -> None:
    """Raise ContentErrors unless each file the chain of INHERITs names is a regular file inside the project, none named twice."""
    root, path, seen = config_file.parent, config_file, {config_file}
    while "INHERIT" in config:
        named = str(config["INHERIT"])
        parent = Path(os.path.normpath(path.parent / named))
        problem = _inherit_problem(parent, root, seen)
        if problem:
            raise ContentErrors([ContentError(display_path(path, root), *_inherit_line(path), f"`INHERIT: {named}` {problem}")])
        seen.add(parent)
        path, config = parent, _config_file(parent, root)


def _inherit_problem(parent: Path, root: Path, seen: set[Path]) -> str | None:
    """Why a configuration file may not inherit from parent, or None."""
    if leads_outside(parent, root):
        return "leads outside the project: inherit only from a file inside it"
    if not os.path.lexists(parent):
        return "names a file that does not exist: correct the path"
    if parent in seen:
        return "comes back to a file already inherited: break the loop"
    return None


_INHERIT_LINE = re.compile(r"^INHERIT\s*:", re.MULTILINE)


def _inherit_line(path: Path) -> tuple[int, int]:
    """The line and column of the file's `INHERIT:` (a file read before, as a regular file inside the project); 0, 0 if not found."""
    text = path.read_text(encoding="utf-8")
    found = _INHERIT_LINE.search(text)
    return (text.count("\n", 0, found.start()) + 1, 1) if found else (0, 0)


def briefing_subject(config: dict) -> str:
    """`extra.brief.subject`: what the briefing is about, written once for the site and the PDFs."""
    extra = config.get("extra") or {}
    brief = extra.get("brief") or {} if isinstance(extra, dict) else None
    subject = brief.get("subject") if isinstance(brief, dict) else None
    if not isinstance(subject, str) or not subject.strip():
        message = "`extra:` `brief:` `subject:` must say what the briefing is about, e.g. Russia–China relations: add it"
        raise ContentErrors([ContentError("mkdocs.yml", 0, 0, message)])
    return " ".join(subject.split())


def stale_after_days(config: dict) -> int:
    """`extra.brief.stale_after_days`: the age at which a topic page warns its reader."""
    extra = config.get("extra") or {}
    brief = extra.get("brief") or {} if isinstance(extra, dict) else None
    days = brief.get("stale_after_days", DEFAULT_STALE_AFTER_DAYS) if isinstance(brief, dict) else None
    if isinstance(days, str) and days.isdigit():
        days = int(days)  # an !ENV value arrives as text
    if isinstance(days, bool) or not isinstance(days, int):
        message = "`extra:` `brief:` `stale_after_days:` must be a whole number of days, e.g. 180: correct it"
        raise ContentErrors([ContentError("mkdocs.yml", 0, 0, message)])
    return days


def edit_base_url(config: dict, config_name: str = "mkdocs.yml") -> str | None:
    """Where the repository's files are edited (`repo_url` joined with `edit_uri`), or None.

    An absolute `edit_uri` works without `repo_url`; an empty one turns edit links off.
    """
    repo_url, edit_uri = config.get("repo_url"), config.get("edit_uri", DEFAULT_EDIT_URI)
    if edit_uri == "" or not (repo_url or urlsplit(str(edit_uri)).scheme):
        return None
    base = urljoin(str(repo_url or "").rstrip("/") + "/", str(edit_uri or DEFAULT_EDIT_URI))
    if urlsplit(base).scheme not in ("http", "https"):
        message = f"repo_url {repo_url!r} with edit_uri {edit_uri!r} is not a web address: write an https:// URL"
        raise ContentErrors([ContentError(config_name, 0, 0, message)])
    return base.rstrip("/") + "/"


def site_address(config: dict, config_name: str = "mkdocs.yml") -> str | None:
    """`site_url`: the address the site is published at, ending in `/`, or None when it is not set.

    Citations, the claims' data and the feed name pages by it; without it they name them relative to the site.
    """
    url = config.get("site_url")
    if not url:
        return None
    if urlsplit(str(url)).scheme not in ("http", "https"):
        message = f"site_url {url!r} is not a web address: write an https:// URL, or leave it out"
        raise ContentErrors([ContentError(config_name, 0, 0, message)])
    return str(url).rstrip("/") + "/"


# MkDocs makes a new Jinja environment on every build and so compiles all of Material's templates
# again, a large part of each rebuild in `serve`; its `on_env` hook (theme_hook.py) hands each
# build's environment this one process-wide store of compiled templates.
THEME_TEMPLATES = CompiledTemplates()
THEME_HOOK = Path(__file__).with_name("theme_hook.py")


def _configured_hooks(config_file: Path) -> list[str]:
    """The hooks mkdocs.yml names itself, kept beside ours."""
    hooks = read_site_config(config_file).get("hooks") or []
    return [str(hook) for hook in hooks] if isinstance(hooks, list) else []


def _config_error(name: str, exc: Exception) -> ContentError:
    """Why a configuration file cannot be read, at the line YAML names when it names one (MkDocs wraps YAML's error)."""
    marked = next((e for e in (exc, exc.__context__) if isinstance(e, yaml.MarkedYAMLError) and e.problem_mark), None)
    if marked is None:
        return ContentError(name, 0, 0, f"cannot read the site configuration ({exc}): correct it")
    mark = marked.problem_mark
    return ContentError(name, mark.line + 1, mark.column + 1, f"YAML syntax: {marked.problem}: correct it")


LOCK_FILE = ".site.lock"


@contextlib.contextmanager
def building(site: Path) -> Iterator[None]:
    """Within, this process alone builds into site/ (and the staging folder); raises ContentErrors if another is,
    or if site/ leads outside the project through a symbolic link.

    The lock is an flock on LOCK_FILE beside site/, which the system releases when its process
    ends, killed or not. Once it is held, no other build is running, so the folders beside
    site/ that a killed build left are removed.
    """
    lock = site.with_name(LOCK_FILE)
    try:
        # Not through a link: opened for writing, a link could create or lock any file.
        descriptor = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise ContentErrors([_lock_error(lock, exc)]) from exc
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            message = "another build or pdf of this project is running: wait for it to finish, then run this again"
            raise ContentErrors([ContentError(f"{site.name}/", 0, 0, message)]) from None
        if leads_outside(site, site.parent):
            message = "leads outside the project through a symbolic link: remove the link; build makes the folder"
            raise ContentErrors([ContentError(f"{site.name}/", 0, 0, message)])
        _remove_abandoned(site.parent)
        yield
    finally:
        os.close(descriptor)  # releases the lock; the file stays, so every build locks the same one


def _lock_error(lock: Path, exc: OSError) -> ContentError:
    if exc.errno in WRITE_TROUBLE:
        return write_error(lock.parent, exc)
    return ContentError(lock.name, 0, 0, f"cannot be opened as the build's lock ({exc.strerror}): remove it")


def read_only_folders(site: Path) -> list[ContentError]:
    """An error for the first folder of site/ (itself included) that cannot be written: the old site could not be removed once replaced."""
    for top, _, _ in os.walk(site):
        if not os.access(top, os.W_OK | os.X_OK):
            message = f"is read-only, so the old site could not be removed once replaced: make it writable (chmod -R u+w {site.name}), or remove {site.name}/"
            return [ContentError(f"{Path(top).relative_to(site.parent).as_posix()}/", 0, 0, message)]
    return []


def new_output_folder(site: Path) -> Path:
    """An empty folder beside site/, on the same file system so the final swap is a rename."""
    try:
        folder = Path(tempfile.mkdtemp(prefix=".site-build-", dir=site.parent))
    except OSError as exc:
        if exc.errno not in WRITE_TROUBLE:
            raise
        raise ContentErrors([write_error(site.parent, exc)]) from exc
    # mkdtemp makes it private (0700); as site/ it must be readable like any folder the user makes.
    folder.chmod(0o777 & ~_umask())
    return folder


def _umask() -> int:
    current = os.umask(0o022)  # the umask can only be read by setting it: put it back at once
    os.umask(current)
    return current


def _remove_abandoned(folder: Path) -> None:
    """Remove the folders that builds killed before they finished left in folder."""
    for entry in folder.glob(".site-*-*"):
        if entry.name.startswith((".site-build-", ".site-old-")):
            _remove(entry)


def _remove(path: Path) -> None:
    """Remove a folder, or the link or file in its place (never what a link leads to)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):  # as rmtree's ignore_errors: what is left is removed by the next build
            path.unlink(missing_ok=True)


def publish(built: Path, site: Path) -> None:
    """Put the built folder in place of site/ with renames, then remove the old one.

    If the built folder cannot take site/'s place, the old site/ is put back before the error is raised.
    """
    old = site.with_name(f".site-old-{built.name.removeprefix('.site-build-')}")
    if site.exists():
        site.rename(old)
    try:
        built.rename(site)
    except OSError:
        if old.exists() and not site.exists():
            old.rename(site)
        raise
    _remove(old)
