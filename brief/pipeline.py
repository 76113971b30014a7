"""The pipeline, read top to bottom: load, validate, render, site (and pdf)."""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import astuple, dataclass, field
from pathlib import Path

from .briefing import Briefing
from .cache import Cache, CompiledTemplates, code_digest
from .commit import built_from
from .dataset import Dataset, dataset
from .editions import Tag, changes_page, edition_tags, refused_tags
from .errors import ContentError, ContentErrors, display_path
from .feed import feed_page
from .files import checked_files
from .load import GLOSSARY_FILE, OVERVIEW_FILE, SHEETS_DIR, SOURCES_DIR, content_files, leads_outside, read_bytes, regular_file_info
from .pdf import PrintedPdf, load_printed, publish_pdfs, save_printed, write_pdfs
from .render import RenderedSite, render_site
from .staging import write_pages
from .site import (
    briefing_subject,
    build_site,
    building,
    dated,
    edit_base_url,
    new_output_folder,
    publish,
    read_only_folders,
    read_site_config,
    site_address,
    stale_after_days,
)
from .validate import validate


# What a build reads from a project: these folders whole, and these files where they exist.
TEMPLATES_DIR = "templates"
CONFIG_FILE = "mkdocs.yml"
INPUT_FOLDERS = (SHEETS_DIR, SOURCES_DIR, TEMPLATES_DIR)
INPUT_FILES = (GLOSSARY_FILE, OVERVIEW_FILE, CONFIG_FILE)


@dataclass(frozen=True)
class Project:
    """Where a briefing project keeps its content, templates and output."""

    root: Path

    @property
    def templates(self) -> Path:
        return self.root / TEMPLATES_DIR

    @property
    def config(self) -> Path:
        return self.root / CONFIG_FILE

    @property
    def staging(self) -> Path:
        return self.root / "staging" / "docs"

    @property
    def site(self) -> Path:
        return self.root / "site"

    @property
    def stamp(self) -> Path:
        """The state of the inputs site/ was last built from (see build_state)."""
        return self.root / "staging" / "site.stamp"

    @property
    def printed(self) -> Path:
        """The PDFs in site/ and what each was printed from, so unchanged ones are not printed again."""
        return self.root / "staging" / "printed.json"

    def assets(self) -> list[Path]:
        return sorted(p for p in (self.templates / "assets").iterdir() if p.is_file())

    def inputs(self) -> list[Path]:
        """Every file a build reads: fact sheets, sources, the glossary, the overview, templates and mkdocs.yml.

        A folder of them that leads outside the project is listed itself: what it holds is not read.
        """
        files = []
        for folder in (self.root / name for name in INPUT_FOLDERS):
            if leads_outside(folder, self.root):
                files.append(folder)
                continue
            for top, folders, names in os.walk(folder):
                # A link to a folder is not entered, so a link loop cannot make this endless; where it leads is an input all the same.
                links = [name for name in folders if os.path.islink(os.path.join(top, name))]
                files += [Path(top, name) for name in names + links]
        return sorted(files + [self.root / name for name in INPUT_FILES if (self.root / name).exists()])

    def built_from(self) -> str:
        """The commit the project's inputs are at, as pages and PDFs name it (see commit.built_from)."""
        return built_from(self.root, INPUT_FOLDERS + INPUT_FILES)


@dataclass
class Memory:
    """What a long-running process (serve) keeps from one build to the next, so an edit costs what it changed.

    Unchanged files are not read or checked alone again, pages that show nothing new are not rendered again, and
    a topic's records in the data files (dataset.py) are made again only when the topic or where its quotes are changed.
    """

    cache: Cache
    rendered: RenderedSite | None = None
    data: Dataset | None = None
    templates: CompiledTemplates = field(default_factory=CompiledTemplates)


def check(project: Project, memory: Memory | None = None) -> Briefing:
    """The validated briefing, its warnings with it; raises ContentErrors listing every problem."""
    _refuse(folders_outside(project, SHEETS_DIR, SOURCES_DIR))
    cache = memory.cache if memory else Cache.for_project(project.root)
    files, errors = content_files(project.root)
    briefing, problems = validate(checked_files(files, cache))
    cache.save()
    errors += problems
    if errors or briefing is None:
        raise ContentErrors(errors)
    return briefing


def publishable(project: Project) -> Briefing:
    """The validated briefing, if it may be published; raises ContentErrors naming each source still awaiting review."""
    briefing = check(project)
    if briefing.warnings.awaiting_review:
        raise ContentErrors(list(briefing.warnings.awaiting_review))
    return briefing


def generate(project: Project, memory: Memory | None = None) -> tuple[Briefing, list[str]]:
    """Check the content and render it into the staging folder; returns what changed there."""
    briefing = check(project, memory)
    return briefing, stage(project, briefing, project.built_from(), edition_tags(project.root), memory)


def stage(project: Project, briefing: Briefing, commit: str, tags: tuple[Tag, ...], memory: Memory | None = None) -> list[str]:
    """Render the briefing into the staging folder, every page naming commit (see commit.built_from), What changed
    listing the editions among tags (see editions.edition_tags); returns what changed there."""
    _refuse(unopenable_templates(project) + folders_outside(project, "staging", "staging/docs"))
    config = read_site_config(project.config)
    previous = memory.rendered if memory else None
    compiled = memory.templates if memory else None
    subject, site_url = briefing_subject(config), site_address(config)
    more = (changes_page(project.root, briefing, tags),)
    site = render_site(briefing, project.templates, subject, stale_after_days(config), edit_base_url(config), previous, compiled, commit, site_url, more)
    data = dataset(briefing, subject, commit, site_url, memory.data if memory else None)
    changed = write_pages(site.pages + data.pages + [feed_page(briefing, subject, site_url)], project.assets(), project.staging)
    if memory:
        memory.rendered, memory.data = site, data
    return changed


def folders_outside(project: Project, *names: str) -> list[ContentError]:
    """An error for each of the project's folders among names that leads outside it through a symbolic link."""
    message = "leads outside the project through a symbolic link: make it a folder inside the project"
    return [ContentError(f"{name}/", 0, 0, message) for name in names if leads_outside(project.root / name, project.root)]


def unopenable_templates(project: Project) -> list[ContentError]:
    """An error for each file and folder under templates/ that the build may not open: it leads outside the project, or is no regular file.

    Jinja, Typst and the copy of the assets open whatever path they are given, so templates/ is
    checked whole before they run. Links to folders are followed, so a link to a folder elsewhere
    in the project that holds a link out is found too; a folder already seen is not entered again.
    """
    root = project.root
    if leads_outside(project.templates, root):
        return folders_outside(project, TEMPLATES_DIR)
    errors, seen = [], set()
    for top, folders, names in os.walk(project.templates, followlinks=True):
        seen.add(os.path.realpath(top))
        for name in list(folders):
            path = Path(top, name)
            if leads_outside(path, root):
                message = "leads outside the project through a symbolic link: copy the folder in instead"
                errors.append(ContentError(f"{display_path(path, root)}/", 0, 0, message))
            if leads_outside(path, root) or os.path.realpath(path) in seen:
                folders.remove(name)
        errors += [ContentError(display_path(path, root), 0, 0, why) for path, why in _unopenable_files(Path(top), names, root)]
    return errors


def _unopenable_files(folder: Path, names: list[str], root: Path) -> Iterator[tuple[Path, str]]:
    """The files among names in folder that the build may not open, and why."""
    for path in (folder / name for name in names):
        info, refusal = regular_file_info(path, root)
        # A link to nothing inside the project opens nothing (editors leave such links as locks).
        if info is None and (path.exists() or leads_outside(path, root)):
            yield path, refusal


def _refuse(errors: list[ContentError]) -> None:
    if errors:
        raise ContentErrors(errors)


@dataclass(frozen=True)
class Built:
    """What a build reports: the facts site/ is built from, check's warnings, and whether it built anything now."""

    fact_count: int
    warnings: tuple[ContentError, ...]
    rebuilt: bool


def build(project: Project, paper: str = "a4", with_pdf: bool = True) -> Built:
    """Check, render, build the site and its PDFs into a new folder, and swap it in place of site/.

    One build or pdf runs at a time (see site.building). Nothing is built while a source
    awaits review (see publishable). When nothing the build reads has changed since the
    build that made site/, site/ is left as it is: the same input and code give the same
    check and the same site, so none of it runs again, and what the last build reported
    is reported again.
    """
    with building(project.site):
        commit = project.built_from()  # once: the pages and the PDFs name the same commit
        tags = edition_tags(project.root)  # once: the stamp and the What changed page name the same editions
        state = build_state(project, paper, with_pdf, commit, tags)
        last = stamped(project, state)
        if last is not None:
            return last
        briefing = publishable(project)
        stage(project, briefing, commit, tags)
        _refuse(read_only_folders(project.site))
        output = new_output_folder(project.site)
        try:
            with dated(briefing.as_of):
                build_site(project.config, project.staging, output, site_nav(briefing))
            printed = _print_reusing(project, briefing, output, paper, commit) if with_pdf else []
            project.printed.unlink(missing_ok=True)
            publish(output, project.site)
        finally:
            shutil.rmtree(output, ignore_errors=True)
        save_printed(printed, project.printed)
        built = Built(briefing.fact_count, tuple(briefing.warnings.all()) + refused_tags(tags), rebuilt=True)
        stamp = {"state": state, "fact_count": built.fact_count, "warnings": [astuple(warning) for warning in built.warnings]}
        project.stamp.write_text(json.dumps(stamp), encoding="utf-8")
        return built


def _print_reusing(project: Project, briefing: Briefing, output: Path, paper: str, commit: str) -> list[PrintedPdf]:
    """Print the PDFs into output, naming commit, linking those whose print document is unchanged from site/."""
    subject = briefing_subject(read_site_config(project.config))
    return write_pdfs(briefing, project.templates, output, subject, paper, project.site, load_printed(project.printed), commit)


def up_to_date(project: Project, paper: str = "a4", with_pdf: bool = True) -> bool:
    """Whether site/ was built from the project as it is now, so `build` would leave it as it is."""
    return stamped(project, build_state(project, paper, with_pdf, project.built_from(), edition_tags(project.root))) is not None


def stamped(project: Project, state: str) -> Built | None:
    """What the build that made site/ reported, if it was built from state; else None."""
    try:
        stamp = json.loads(project.stamp.read_text(encoding="utf-8"))
        if not project.site.is_dir() or stamp["state"] != state:
            return None
        return Built(stamp["fact_count"], tuple(ContentError(*warning) for warning in stamp["warnings"]), rebuilt=False)
    except (OSError, ValueError, KeyError, TypeError):  # no stamp, or one this code did not write
        return None


def build_state(project: Project, paper: str, with_pdf: bool, commit: str, tags: tuple[Tag, ...]) -> str:
    """A digest of every input file, of the settings mkdocs.yml gives (with what it INHERITs) and the environment
    it reads, of the code that builds, of the commit every page names, and of the edition tags and their commits.

    A new commit of the same files builds again: a site left as it was would name the commit before; so does a new
    edition tag, which the What changed page lists.
    """
    digest = hashlib.sha256(f"paper={paper if with_pdf else 'no PDF'}\n".encode())
    editions = " ".join(f"{tag.name}={tag.commit}" for tag in tags)
    for line in (f"code={code_digest()}", f"commit={commit}", f"editions={editions}", f"settings={_site_settings(project.config)}", *_config_environment(project.config)):
        digest.update(line.encode() + b"\n")
    for path in project.inputs():
        digest.update(f"{path.relative_to(project.root).as_posix()}\n{_file_digest(path, project.root)}\n".encode())
    return digest.hexdigest()


def _site_settings(config: Path) -> str:
    """The site's settings as MkDocs reads them, files it inherits from included; why not, when they cannot be read."""
    try:
        return json.dumps(read_site_config(config), sort_keys=True, default=str)
    except ContentErrors as exc:
        return "unreadable: " + "; ".join(map(str, exc.errors))  # the build reports it


def _file_digest(path: Path, root: Path) -> str:
    """The file's SHA-256, read in chunks; for a file the build may not open, or cannot read, why not."""
    info, refusal = regular_file_info(path, root)
    if info is None:
        return refusal  # not opened: a link out, or a named pipe that would block the read; the build stops at it
    try:
        with path.open("rb") as file:
            return hashlib.file_digest(file, "sha256").hexdigest()
    except OSError as exc:
        return f"unreadable: {exc.strerror}"  # load reports it; the build stops there


_ENV_TAG = re.compile(r"!ENV\s+(\[[^\]]*\]|\S+)")


def _config_environment(config: Path) -> list[str]:
    """The variables mkdocs.yml reads with `!ENV`, and their values: they change the site as a file would."""
    raw, _ = read_bytes(config, config.parent)  # what it cannot be read as, stage reports
    text = raw.decode("utf-8", "replace") if raw else ""
    names = {name for tag in _ENV_TAG.findall(text) for name in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", tag)}
    return [f"{name}={os.environ.get(name)}" for name in sorted(names)]


def pdf(project: Project, paper: str = "a4") -> list[PrintedPdf]:
    """Check and print the PDFs into a new folder, then put them in place of those in site/.

    The site pages are left as they are; `build` rebuilds both. Nothing is printed while a source awaits review.
    """
    with building(project.site):
        briefing = publishable(project)
        _refuse(unopenable_templates(project) + read_only_folders(project.site))
        # The PDFs replaced here may differ from those the last build made (another paper size, another commit).
        project.stamp.unlink(missing_ok=True)
        output = new_output_folder(project.site)
        try:
            printed = _print_reusing(project, briefing, output, paper, project.built_from())
            project.printed.unlink(missing_ok=True)
            publish_pdfs(output, project.site)
        finally:
            shutil.rmtree(output, ignore_errors=True)
        save_printed(printed, project.printed)
        return printed


# Material draws the whole navigation into every page, so with a link per topic each page
# grows with the number of topics, and the site build with its square. Past this many
# topics, the overview, which lists them all, leads to them.
NAV_TOPICS_MAX = 40


def site_nav(briefing: Briefing) -> list:
    """The navigation, in topic order; titles escaped because MkDocs prints them as they are."""
    topics = [{html.escape(t.sheet.title): f"topics/{t.id}.md"} for t in briefing.topics]
    return [
        {"Overview": "index.md"},
        *([{"Topics": topics}] if len(topics) <= NAV_TOPICS_MAX else []),
        {"Timeline": "timeline.md"},
        {"What changed": "changes.md"},
        {"Sources": "sources/index.md"},
        {"Methodology": "methodology.md"},
    ] + ([{"Glossary": "glossary.md"}] if briefing.glossary else [])
