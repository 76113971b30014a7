"""Live preview: serve the site on localhost and rebuild it when content or templates change.

The PDF is not built here, so a save shows up in the browser without waiting for Typst.
Each rebuild goes into a new folder that replaces the served one only when it
is complete, so an edit that breaks validation (or the site build) leaves the
last good site up while its errors are reported. A source awaiting review is
previewed all the same (an editor previews it to review it), with the warnings
reported on every rebuild. When the navigation and mkdocs.yml are those of the
served site, a rebuild builds only the changed pages and links the rest from the
served folder (see site_update.py).

While the last rebuild found problems, every HTML page served carries them in a banner
above it (see serve_errors.py), and before any build has succeeded every address answers with
a page listing them. MkDocs' live reload reloads open pages after every rebuild, good or bad,
so a banner comes and goes by itself; the problems page asks serve itself.

Only requests whose Host is localhost or 127.0.0.1 are answered: a page on another
site cannot read the preview through a name of its own made to resolve here (DNS
rebinding). SIGTERM stops serve as Ctrl+C does, removing its temporary folder.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from mkdocs.livereload import LiveReloadServer

from .briefing import Briefing
from .cache import Cache
from .errors import ContentError, ContentErrors
from .pipeline import Memory, Project, generate, site_nav
from .serve_errors import REBUILD_PATH, problems_page, with_banner
from .site import build_site, building, new_output_folder, publish
from .site_update import SearchIndex, update_site
from .unforeseen import unforeseen_as_content_errors
from .watch import POLL_SECONDS, sigterm_as_ctrl_c, watched_paths

HOST = "127.0.0.1"
# Host headers answered, with any port (a tunnel such as ssh -L may forward another port to ours).
LOCAL_HOST = re.compile(r"(localhost|127\.0\.0\.1)(:[0-9]{1,5})?", re.IGNORECASE)
# Longer than any page path of a site; longer ones are hostile (MkDocs would fail on a 4,300-digit reload number).
MAX_PATH_CHARS = 2000


class PortUnavailable(Exception):
    """The port cannot be listened on: taken, or not ours to use."""


@dataclass(frozen=True)
class Shown:
    """What the browser is shown besides the site: the last rebuild's problems, whether a good site
    is served, and that rebuild's number (the problems page reloads when it changes)."""

    errors: tuple[ContentError, ...] = ()
    site: bool = False
    rebuild: int = 0


class LocalServer(LiveReloadServer):
    """MkDocs' live-reload server, answering only requests to localhost with paths a file can have,
    and showing the last rebuild's problems."""

    shown = Shown()

    def show(self, rebuild: Rebuild) -> None:
        """Show rebuild's problems (none when it succeeded) in every response from now on."""
        self.shown = Shown(rebuild.errors, rebuild.site_served, self.shown.rebuild + 1)

    def serve_request(self, environ, start_response) -> Iterable[bytes]:
        if not LOCAL_HOST.fullmatch(environ.get("HTTP_HOST", "")):
            return _refuse(start_response, b"serve answers only requests to localhost or 127.0.0.1\n")
        path = environ.get("PATH_INFO", "")
        if not is_servable_path(path):
            return _refuse(start_response, b"bad path\n")
        shown = self.shown
        if path == REBUILD_PATH:
            return _answer(start_response, "200 OK", "text/plain", str(shown.rebuild).encode())
        if not shown.site and not path.startswith("/livereload/"):
            # 200, not an error status, which MkDocs would log on the terminal at every reload.
            return _answer(start_response, "200 OK", "text/html", problems_page(shown.errors, shown.rebuild))
        if not shown.errors:
            return super().serve_request(environ, start_response)
        return self._with_banner(environ, start_response, shown.errors)

    def _with_banner(self, environ, start_response, errors: tuple[ContentError, ...]) -> Iterable[bytes]:
        """MkDocs' response, an HTML page with the banner of errors added."""
        held = []
        # Held until the page is known; MkDocs' server never writes through what start_response returns.
        body = super().serve_request(environ, lambda status, headers, exc_info=None: held.append((status, headers)))
        status, headers = held[0]
        if not _is_html(headers):
            start_response(status, headers)
            return body
        try:
            page = with_banner(b"".join(body), errors)
        finally:
            if hasattr(body, "close"):
                body.close()
        headers = [(name, value) for name, value in headers if name.lower() != "content-length"]
        start_response(status, [*headers, ("Content-Length", str(len(page)))])
        return [page]


def _is_html(headers: list[tuple[str, str]]) -> bool:
    return any(name.lower() == "content-type" and value.startswith("text/html") for name, value in headers)


def is_servable_path(path: str) -> bool:
    """Whether path can name a file: no control character (a NUL makes open() fail) and not too long."""
    return len(path) <= MAX_PATH_CHARS and not any(ord(char) < 32 or ord(char) == 127 for char in path)


def _refuse(start_response, body: bytes) -> list[bytes]:
    return _answer(start_response, "400 Bad Request", "text/plain", body)


def _answer(start_response, status: str, kind: str, body: bytes) -> list[bytes]:
    start_response(status, [("Content-Type", f"{kind}; charset=utf-8"), ("Content-Length", str(len(body))), ("Cache-Control", "no-store")])
    return [body]


@dataclass(frozen=True)
class Rebuild:
    """What one rebuild did: how long it took, the problems that stopped it (none when it succeeded), its warnings,
    and whether a good site is served after it (not until a build has succeeded)."""

    seconds: float
    errors: tuple[ContentError, ...] = ()
    warnings: tuple[ContentError, ...] = ()
    site_served: bool = True


@dataclass
class Preview:
    """What the served folder was built with (None until its first build), and what the next build can reuse."""

    memory: Memory
    nav: list | None = None
    config: bytes | None = None
    index: SearchIndex | None = None  # the served site's search index


def serve_forever(project: Project, port: int, report: Callable[[Rebuild], None]) -> None:
    """Build, serve on HOST:port, and rebuild on every change until interrupted (Ctrl+C or SIGTERM); report each build.

    Raises PortUnavailable when the port cannot be listened on.
    """
    workspace = Path(tempfile.mkdtemp(prefix="brief-serve-"))
    try:
        with sigterm_as_ctrl_c():
            _serve(project, port, report, workspace)
    except KeyboardInterrupt:  # also during the first build
        pass
    finally:
        shutil.rmtree(workspace, ignore_errors=True)


def _serve(project: Project, port: int, report: Callable[[Rebuild], None], workspace: Path) -> None:
    served = workspace / "site"
    served.mkdir()
    preview = Preview(Memory(Cache.for_project(project.root)))

    def rebuild() -> None:
        done = rebuild_site(project, served, preview)
        server.show(done)  # before it is reported: a page asked for after the report shows it
        report(done)

    server = LocalServer(builder=rebuild, host=HOST, port=port, root=str(served), polling_interval=POLL_SECONDS)
    rebuild()
    for path, recursive in watched_paths(project):
        server.watch(str(path), recursive=recursive)
    try:
        server.serve()
    except OSError as exc:  # binding the port: MkDocs catches what later rebuilds raise
        raise PortUnavailable(exc.strerror or str(exc)) from exc
    finally:
        server.shutdown()


def rebuild_site(project: Project, served: Path, preview: Preview | None = None) -> Rebuild:
    """Check, render and build the site, then swap it in place of the served folder; on errors keep the old one.

    With preview, only the changed pages are built when nothing else changed since the served build.
    A disk error is one of the errors: raised, it would leave MkDocs' server waiting for a good
    build before it answers again.
    """
    started = time.perf_counter()
    try:
        briefing = unforeseen_as_content_errors(lambda: _built_and_swapped(project, served, preview), project.root)
    except ContentErrors as exc:
        return Rebuild(time.perf_counter() - started, tuple(exc.errors), site_served=any(served.iterdir()))
    return Rebuild(time.perf_counter() - started, warnings=tuple(briefing.warnings.all()))


def _built_and_swapped(project: Project, served: Path, preview: Preview | None) -> Briefing:
    """The briefing, once its site is built into a new folder and swapped in place of served."""
    output = new_output_folder(served)
    try:
        with building(project.site):  # the staging folder is shared with build and pdf
            briefing, changed = generate(project, preview.memory if preview else None)
            nav, config = site_nav(briefing), project.config.read_bytes()
            removed = any(not (project.staging / path).exists() for path in changed)
            if preview and (preview.nav, preview.config) == (nav, config) and not removed:
                update_site(project.config, project.staging, served, output, nav, preview.index)
                index = preview.index
            else:
                build_site(project.config, project.staging, output, nav)
                index = SearchIndex.read(output)
        publish(output, served)
    finally:
        shutil.rmtree(output, ignore_errors=True)
    if preview:
        preview.nav, preview.config, preview.index = nav, config, index
    return briefing
