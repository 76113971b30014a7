"""An MkDocs hook: each build's Jinja environment keeps the theme's compiled templates, for the next build in the
same process (serve's rebuilds; a process that builds several projects). It changes no output, so a site
engine that runs no MkDocs hooks (Zensical) builds the same pages without it.

MkDocs loads this file by its path (site.build_site); `on_env` is its
documented event for changing the environment, and `overlay` Jinja's documented way to
derive one with other settings.
"""

from __future__ import annotations

import jinja2

from brief.site import THEME_TEMPLATES


def on_env(env: jinja2.Environment, config: object, files: object) -> jinja2.Environment:
    return env.overlay(bytecode_cache=THEME_TEMPLATES)
