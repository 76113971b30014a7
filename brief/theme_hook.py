"""An MkDocs hook, used by `serve` only: each build's Jinja environment keeps the theme's compiled templates.

MkDocs loads this file by its path (site.build_site with serving=True); `on_env` is its
documented event for changing the environment, and `overlay` Jinja's documented way to
derive one with other settings.
"""

from __future__ import annotations

import jinja2

from brief.site import THEME_TEMPLATES


def on_env(env: jinja2.Environment, config: object, files: object) -> jinja2.Environment:
    return env.overlay(bytecode_cache=THEME_TEMPLATES)
