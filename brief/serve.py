"""Live preview: serve the site on localhost and rebuild it when content or templates change.

The PDF is not built here, so a save shows up in the browser in about a second.
An edit that breaks validation prints its errors and the last good site stays up.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from mkdocs.livereload import LiveReloadServer

from .errors import ContentErrors
from .pipeline import Project, generate, site_nav
from .site import build_site


def serve_forever(project: Project, port: int, report: Callable[[ContentErrors], None]) -> None:
    output = Path(tempfile.mkdtemp(prefix="brief-serve-"))

    def rebuild() -> None:
        try:
            briefing, _ = generate(project)
            build_site(project.config, project.staging, output, site_nav(briefing))
        except ContentErrors as exc:
            report(exc)

    rebuild()
    server = LiveReloadServer(builder=rebuild, host="127.0.0.1", port=port, root=str(output))
    for folder in ("briefings", "sources", "templates"):
        server.watch(str(project.root / folder))
    try:
        server.serve()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        shutil.rmtree(output, ignore_errors=True)
