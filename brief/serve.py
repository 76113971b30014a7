"""Live preview: serve the site on localhost and rebuild it when content or templates change.

The PDF is not built here, so a save shows up in the browser without waiting for Typst.
Each rebuild goes into a new folder that replaces the served one only when it
is complete, so an edit that breaks validation (or the site build) leaves the
last good site up while its errors are reported. A source awaiting review is
previewed all the same (an editor previews it to review it), with the warnings
reported on every rebuild. When the navigation and mkdocs.yml are those of the
served site, a rebuild builds only the changed pages and links the rest from the
served folder (see site.update_site).

Only requests whose Host is localhost or 127.0.0.1 are answered: a page on another
site cannot read the preview through a name of its own made to resolve here (DNS
rebinding). SIGTERM stops serve as Ctrl+C does, removing its temporary folder.
"""

from __future__ import annotations

import re
import shutil
import signal
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from mkdocs.livereload import LiveReloadServer

from .cache import Cache
from .errors import ContentError, ContentErrors
from .pipeline import Memory, Project, generate, site_nav
from .site import build_site, building, new_output_folder, publish, update_site

HOST = "127.0.0.1"
# How often the watcher looks for changed files: a save is seen within this time.
POLL_SECONDS = 0.25
WATCHED_FOLDERS = ("briefings", "sources", "templates")
# Host headers answered, with any port (a tunnel such as ssh -L may forward another port to ours).
LOCAL_HOST = re.compile(r"(localhost|127\.0\.0\.1)(:[0-9]{1,5})?", re.IGNORECASE)
# Longer than any page path of a site; longer ones are hostile (MkDocs would fail on a 4,300-digit reload number).
MAX_PATH_CHARS = 2000


class PortUnavailable(Exception):
    """The port cannot be listened on: taken, or not ours to use."""


class LocalServer(LiveReloadServer):
    """MkDocs' live-reload server, answering only requests to localhost with paths a file can have."""

    def serve_request(self, environ, start_response) -> Iterable[bytes]:
        if not LOCAL_HOST.fullmatch(environ.get("HTTP_HOST", "")):
            return _refuse(start_response, b"serve answers only requests to localhost or 127.0.0.1\n")
        if not is_servable_path(environ.get("PATH_INFO", "")):
            return _refuse(start_response, b"bad path\n")
        return super().serve_request(environ, start_response)


def is_servable_path(path: str) -> bool:
    """Whether path can name a file: no control character (a NUL makes open() fail) and not too long."""
    return len(path) <= MAX_PATH_CHARS and not any(ord(char) < 32 or ord(char) == 127 for char in path)


def _refuse(start_response, body: bytes) -> list[bytes]:
    start_response("400 Bad Request", [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))])
    return [body]


@dataclass(frozen=True)
class Rebuild:
    """What one rebuild did: how long it took, the problems that stopped it (none when it succeeded), and its warnings."""

    seconds: float
    errors: tuple[ContentError, ...] = ()
    warnings: tuple[ContentError, ...] = ()


@dataclass
class Preview:
    """What the served folder was built with (None until its first build), and what the next build can reuse."""

    memory: Memory
    nav: list | None = None
    config: bytes | None = None


def serve_forever(project: Project, port: int, report: Callable[[Rebuild], None]) -> None:
    """Build, serve on HOST:port, and rebuild on every change until interrupted (Ctrl+C or SIGTERM); report each build.

    Raises PortUnavailable when the port cannot be listened on.
    """
    # SIGTERM (sent by kill, a process manager or an IDE's stop button) would end the process
    # without cleaning up; raising KeyboardInterrupt lets it leave the way Ctrl+C does.
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    workspace = Path(tempfile.mkdtemp(prefix="brief-serve-"))
    try:
        _serve(project, port, report, workspace)
    except KeyboardInterrupt:  # also during the first build
        pass
    finally:
        shutil.rmtree(workspace, ignore_errors=True)
        signal.signal(signal.SIGTERM, previous)


def _serve(project: Project, port: int, report: Callable[[Rebuild], None], workspace: Path) -> None:
    served = workspace / "site"
    served.mkdir()
    preview = Preview(Memory(Cache.for_project(project.root)))

    def rebuild() -> None:
        report(rebuild_site(project, served, preview))

    rebuild()
    server = LocalServer(builder=rebuild, host=HOST, port=port, root=str(served), polling_interval=POLL_SECONDS)
    for folder in WATCHED_FOLDERS:
        server.watch(str(project.root / folder))
    # Not recursive: mkdocs.yml and other top-level files, without the staging and output folders below.
    server.watch(str(project.root), recursive=False)
    try:
        server.serve()
    except OSError as exc:  # binding the port: MkDocs catches what later rebuilds raise
        raise PortUnavailable(exc.strerror or str(exc)) from exc
    finally:
        server.shutdown()


def rebuild_site(project: Project, served: Path, preview: Preview | None = None) -> Rebuild:
    """Check, render and build the site, then swap it in place of the served folder; on errors keep the old one.

    With preview, only the changed pages are built when nothing else changed since the served build.
    """
    started = time.perf_counter()
    output = new_output_folder(served)
    try:
        with building(project.site):  # the staging folder is shared with build and pdf
            briefing, changed = generate(project, preview.memory if preview else None)
            nav, config = site_nav(briefing), project.config.read_bytes()
            removed = any(not (project.staging / path).exists() for path in changed)
            if preview and (preview.nav, preview.config) == (nav, config) and not removed:
                update_site(project.config, project.staging, served, output, nav)
            else:
                build_site(project.config, project.staging, output, nav, serving=True)
        publish(output, served)
        if preview:
            preview.nav, preview.config = nav, config
    except ContentErrors as exc:
        return Rebuild(time.perf_counter() - started, tuple(exc.errors))
    finally:
        shutil.rmtree(output, ignore_errors=True)
    return Rebuild(time.perf_counter() - started, warnings=tuple(briefing.warnings.all()))
