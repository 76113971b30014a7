"""The command line: parses arguments, calls the pipeline, prints results, errors and warnings.

Only this module prints. Content errors go to stderr one per line as
`path:line:col: message`, and the exit code is 1. Warnings go to stderr as
`path:line:col: warning: message` and leave the exit code alone.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import sys
import time
from pathlib import Path

import click

from . import pipeline
from .diff import RevisionError, diff_report
from .cache import Cache
from .errors import ContentError, ContentErrors
from .github import github_annotations, warning_annotations
from .pdf import PAPER_SIZES
from .unforeseen import unforeseen_as_content_errors

project_option = click.option(
    "--project",
    "root",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=Path("."),
    show_default=True,
    help="The briefing project folder (holds briefings/, sources/, templates/, mkdocs.yml).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Build the Russia–China briefing from its fact sheets and sources."""


@main.command()
@project_option
@click.option("--watch", is_flag=True, help="Check again on every save, printing the problems each time, until Ctrl+C.")
def check(root: Path, watch: bool) -> None:
    """Validate every fact sheet and source; print each problem and warning as path:line:col (and as annotations on GitHub Actions).

    Warnings alone (a source awaiting review, a source nothing cites) leave the exit code 0.
    With --watch, check runs again whenever briefings/, sources/, templates/ or the project's files change.
    """
    if watch:
        _check_on_every_save(pipeline.Project(root.resolve()))
        return
    annotate = os.environ.get("GITHUB_ACTIONS") == "true"
    briefing = _run(pipeline.check, root, annotate=annotate)
    warnings = briefing.warnings.all()
    if annotate:
        for line in warning_annotations(warnings):
            click.echo(line)
    _report_warnings(warnings)
    click.echo(f"ok: {_counted(briefing)}")


def _counted(briefing) -> str:
    awaiting = len(briefing.warnings.awaiting_review)
    return f"{len(briefing.topics)} topics, {briefing.fact_count} facts, {len(briefing.sources)} sources, every quote found; {awaiting} awaiting review"


def _check_on_every_save(project: pipeline.Project) -> None:
    """Check now and after every change to the inputs, each run under a line with its time, until Ctrl+C or SIGTERM (exit 0)."""
    from .watch import after_each_change, sigterm_as_ctrl_c

    memory = pipeline.Memory(Cache.for_project(project.root))  # unchanged files are not read again
    click.echo("checking on every save to briefings/, sources/, templates/ or the project's files; Ctrl+C stops")
    try:
        with sigterm_as_ctrl_c():
            for _ in after_each_change(project):
                click.echo(f"--- check at {time.strftime('%H:%M:%S')} ---")
                _report_check(project, memory)
    except KeyboardInterrupt:
        pass  # how a watch ends: quietly, exit 0


def _report_check(project: pipeline.Project, memory: pipeline.Memory) -> None:
    try:
        briefing = unforeseen_as_content_errors(lambda: pipeline.check(project, memory), project.root)
    except ContentErrors as exc:
        _report_errors(exc)
        click.echo(f"{len(exc.errors)} problem(s) found", err=True)
        return
    _report_warnings(briefing.warnings.all())
    click.echo(f"no problems: {_counted(briefing)}")


paper_option = click.option(
    "--paper",
    type=click.Choice(sorted(PAPER_SIZES), case_sensitive=False),
    default="a4",
    show_default=True,
    help="Paper size of the PDFs.",
)


@main.command()
@project_option
@paper_option
def build(root: Path, paper: str) -> None:
    """Validate, render and build the site and its PDFs into site/ (replaced only on success)."""
    started = time.perf_counter()
    built = _run(functools.partial(pipeline.build, paper=paper.lower()), root)
    _report_warnings(list(built.warnings))
    if built.rebuilt:
        click.echo(f"built site/ and its PDFs from {built.fact_count} facts in {time.perf_counter() - started:.1f} s")
    else:
        click.echo(f"site/ is up to date: nothing changed since it was built from {built.fact_count} facts")


@main.command()
@project_option
@paper_option
def pdf(root: Path, paper: str) -> None:
    """Print site/briefing.pdf and site/pdf/<topic>.pdf; the site pages are left as they are."""
    started = time.perf_counter()
    printed = _run(functools.partial(pipeline.pdf, paper=paper.lower()), root)
    for item in printed:
        click.echo(f"wrote site/{item.path} ({item.pages} pages)")
    click.echo(f"printed {len(printed)} PDFs in {time.perf_counter() - started:.1f} s")


@main.command()
@project_option
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="Port to serve on (localhost only).")
def serve(root: Path, port: int) -> None:
    """Serve the site on localhost, rebuilding when briefings/, sources/, templates/ or mkdocs.yml change; problems show on every page."""
    from .serve import HOST, PortUnavailable, serve_forever

    click.echo(f"serving http://{HOST}:{port}/ (no PDF); rebuilds on every save; Ctrl+C stops")
    try:
        _run(functools.partial(serve_forever, port=port, report=_report_rebuild), root, after="serve stopped")
    except PortUnavailable as exc:
        raise click.ClickException(f"cannot serve on port {port}: {exc}; try --port") from exc


def _report_rebuild(rebuild) -> None:
    _report_warnings(list(rebuild.warnings))
    if not rebuild.errors:
        click.echo(f"rebuilt in {rebuild.seconds:.1f} s")
        return
    for error in rebuild.errors:
        click.echo(str(error), err=True)
    served = "still serving the last good site, under a banner of them" if rebuild.site_served else "every page lists them until they are fixed"
    click.echo(f"{len(rebuild.errors)} problem(s) found in {rebuild.seconds:.1f} s; {served}", err=True)


@main.command()
@project_option
def schema(root: Path) -> None:
    """Write the JSON Schemas editors use for fact sheets and sources into schemas/."""
    from .schema import write_schemas

    written = write_schemas(root.resolve())
    for path in written:
        click.echo(f"wrote {path.relative_to(root.resolve()).as_posix()}")
    if not written:
        click.echo("schemas/ is up to date")


@main.command()
@project_option
@click.argument("base")
@click.argument("head", required=False)
def diff(root: Path, base: str, head: str | None) -> None:
    """Print a Markdown report of what changed in facts and sources from BASE to HEAD (git revisions).

    HEAD defaults to the working tree. The report says whether HEAD passes check;
    the exit code is 0 either way, because the report is for a reviewer.
    """
    try:
        click.echo(diff_report(root.resolve(), base, head), nl=False)
    except RevisionError as exc:
        raise click.ClickException(str(exc)) from exc


@main.command("add-source")
@project_option
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--id", "source_id", help="The source id (file name in sources/); proposed from publisher, date and title if not given.")
@click.option("--archived", type=click.DateTime(["%Y-%m-%d"]), help="The archive date to record (default: today).")
@click.option("--force", is_flag=True, help="Archive a web page even if it looks like a section front page or a list of headlines.")
def add_source(root: Path, file: Path, source_id: str | None, archived, force: bool) -> None:
    """Archive a saved web page (.html) or text file (.txt) as a new sources/<id>.md for review."""
    # Imported here: trafilatura is slow to import, which no other command should pay for.
    from .archive import ArchiveError, add_source as archive_article

    try:
        path, article = archive_article(root.resolve(), file, source_id, archived.date() if archived else None, force)
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from exc
    name = path.relative_to(root.resolve()).as_posix()
    click.echo(f"wrote {name}")
    if article.unknown():
        click.echo(f"not stated in the article, left null: {', '.join(article.unknown())}")
    click.echo(f"awaiting review: read {name} against the original and follow the comment in its front matter; build and pdf refuse to publish until then")


def _run(step, root: Path, annotate: bool = False, after: str = "nothing was written to site/"):
    try:
        project = pipeline.Project(root.resolve())
        return unforeseen_as_content_errors(lambda: step(project), project.root)
    except ContentErrors as exc:
        if annotate:
            # Annotations go to stdout, where the runner reads workflow commands.
            for line in github_annotations(exc.errors):
                click.echo(line)
        _report_errors(exc)
        click.echo(f"{len(exc.errors)} problem(s) found; {after}", err=True)
        sys.exit(1)


def _report_errors(exc: ContentErrors) -> None:
    for error in exc.errors:
        click.echo(str(error), err=True)


def _report_warnings(warnings: list[ContentError]) -> None:
    for warning in warnings:
        click.echo(str(dataclasses.replace(warning, message=f"warning: {warning.message}")), err=True)
