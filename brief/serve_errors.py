"""The problems `serve` shows in the browser: a banner over each served page, and a page of them while no build has succeeded.

Only serve's responses carry them; nothing here is written to a site folder. Every problem is
HTML-escaped (messages quote the editors' text), and nothing is loaded from anywhere: the
style is inline, and the one script asks serve itself whether it has rebuilt.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from .errors import ContentError

# Beyond this many, the banner would push the page out of sight; the terminal has them all.
SHOWN_AT_MOST = 20
# Where the problems page asks which rebuild is served's latest (see LocalServer).
REBUILD_PATH = "/.brief/rebuild"

# White on dark red: a contrast of 9:1, in the light and the dark scheme alike.
STYLE = """<style>
#brief-problems{background:#8b0000;color:#fff;font:15px/1.45 system-ui,sans-serif;padding:12px 16px;margin:0}
#brief-problems h2{color:#fff;font:inherit;font-weight:700;margin:0 0 6px}
#brief-problems ul{margin:0;padding:0 0 0 20px}
#brief-problems code{color:#fff;background:none;font:14px/1.45 ui-monospace,monospace;white-space:pre-wrap;overflow-wrap:anywhere}
#brief-problems p{margin:6px 0 0}
</style>"""

BODY_TAG = re.compile(rb"<body\b[^>]*>", re.IGNORECASE)


def with_banner(page: bytes, errors: Sequence[ContentError]) -> bytes:
    """The page with the banner of errors first in its body, above the page as it was."""
    found = BODY_TAG.search(page)
    at = found.end() if found else 0
    return page[:at] + banner(errors, "Below is the last good build.").encode() + page[at:]


def banner(errors: Sequence[ContentError], below: str) -> str:
    """An alert listing the errors, each as `path:line:col: message`, then saying what is below it."""
    shown = "".join(f"<li><code>{html.escape(str(error))}</code></li>" for error in errors[:SHOWN_AT_MOST])
    more = f"<li>and {len(errors) - SHOWN_AT_MOST} more, printed in the terminal</li>" if len(errors) > SHOWN_AT_MOST else ""
    return (
        f'{STYLE}<section id="brief-problems" role="alert" aria-labelledby="brief-problems-title">'
        f'<h2 id="brief-problems-title">{_count(errors)} found in the content</h2>'
        f"<ul>{shown}{more}</ul><p>{html.escape(below)} Fix and save: this goes away by itself.</p></section>"
    )


def problems_page(errors: Sequence[ContentError], rebuild: int) -> bytes:
    """A page listing the errors, for every path while no build has succeeded; it reloads once serve has rebuilt."""
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_count(errors)}: nothing to preview yet</title>
</head>
<body>
<main>
<h1 style="font:700 20px/1.3 system-ui,sans-serif;margin:16px">Nothing to preview yet</h1>
{banner(errors, "The site shows here once the content is fixed.")}
</main>
<script>
// Reload when serve has rebuilt: once the problems are fixed, this address serves the site.
(function poll() {{
  fetch("{REBUILD_PATH}", {{cache: "no-store"}})
    .then(function (response) {{ return response.text(); }})
    .then(function (latest) {{ if (latest !== "{rebuild}") location.reload(); else setTimeout(poll, 500); }},
          function () {{ setTimeout(poll, 2000); }});
}})();
</script>
</body>
</html>
""".encode()


def _count(errors: Sequence[ContentError]) -> str:
    return f"{len(errors)} problem{'' if len(errors) == 1 else 's'}"
