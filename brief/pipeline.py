"""The pipeline, read top to bottom: load, validate, render, site (and pdf)."""

from __future__ import annotations

import html
import shutil
from dataclasses import dataclass
from pathlib import Path

from .errors import ContentErrors
from .load import load_project
from .pdf import PrintedPdf, publish_pdfs, write_pdfs
from .render import render_pages, write_pages
from .site import build_site, dated, edit_base_url, new_output_folder, publish
from .validate import Briefing, validate


@dataclass(frozen=True)
class Project:
    """Where a briefing project keeps its content, templates and output."""

    root: Path

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    @property
    def config(self) -> Path:
        return self.root / "mkdocs.yml"

    @property
    def staging(self) -> Path:
        return self.root / "staging" / "docs"

    @property
    def site(self) -> Path:
        return self.root / "site"

    def assets(self) -> list[Path]:
        return sorted(p for p in (self.templates / "assets").iterdir() if p.is_file())


def check(project: Project) -> Briefing:
    """The validated briefing; raises ContentErrors listing every problem."""
    raw, errors = load_project(project.root)
    briefing, validation_errors = validate(raw)
    errors += validation_errors
    if errors or briefing is None:
        raise ContentErrors(errors)
    return briefing


def generate(project: Project) -> tuple[Briefing, list[str]]:
    """Check the content and render it into the staging folder; returns what changed there."""
    briefing = check(project)
    pages = render_pages(briefing, project.templates, edit_base=edit_base_url(project.config))
    changed = write_pages(pages, project.assets(), project.staging)
    return briefing, changed


def build(project: Project, paper: str = "a4") -> Briefing:
    """Check, render, build the site and its PDFs into a new folder, and swap it in place of site/."""
    briefing, _ = generate(project)
    output = new_output_folder(project.site)
    try:
        with dated(briefing.as_of):
            build_site(project.config, project.staging, output, site_nav(briefing))
        write_pdfs(briefing, project.templates, output, paper)
        publish(output, project.site)
    finally:
        shutil.rmtree(output, ignore_errors=True)
    return briefing


def pdf(project: Project, paper: str = "a4") -> list[PrintedPdf]:
    """Check and print the PDFs into a new folder, then put them in place of those in site/.

    The site pages are left as they are; `build` rebuilds both.
    """
    briefing = check(project)
    output = new_output_folder(project.site)
    try:
        printed = write_pdfs(briefing, project.templates, output, paper)
        publish_pdfs(output, project.site)
    finally:
        shutil.rmtree(output, ignore_errors=True)
    return printed


def site_nav(briefing: Briefing) -> list:
    """The navigation, in topic order; titles escaped because MkDocs prints them as they are."""
    return [
        {"Overview": "index.md"},
        {"Topics": [{html.escape(t.sheet.title): f"topics/{t.id}.md"} for t in briefing.topics]},
        {"Timeline": "timeline.md"},
        {"Sources": "sources/index.md"},
        {"Methodology": "methodology.md"},
    ]
