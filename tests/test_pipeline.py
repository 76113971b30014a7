"""pipeline.build: gather and check everything, then write.

A failed build leaves site/ exactly as it was and writes nowhere else; a build is byte-for-byte repeatable;
nothing runs again when nothing changed, and any change to an input rebuilds; the navigation stays short.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from brief import pipeline
from brief.cli import main
from brief.errors import ContentErrors
from brief.pipeline import NAV_TOPICS_MAX, Project, build, site_nav, up_to_date
from conftest import REPO, TINY_SOURCE, make_tiny_project

OUTPUT_FOLDERS = ("site", "staging")
# What a project holds after a build: its inputs, the output folders, and the lock builds take in turn.
BUILT_PROJECT = sorted(["briefings", "sources", "templates", "mkdocs.yml", ".site.lock", *OUTPUT_FOLDERS])


def snapshot(folder: Path, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """Every entry under folder by relative path: a file's SHA-256, or what kind of entry it is."""
    entries = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if relative.split("/")[0] in skip:
            continue
        if path.is_symlink():
            entries[relative] = f"link to {path.readlink()}"
        elif path.is_file():
            entries[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            entries[relative] = "folder"
    return entries


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


AWAITING_SOURCE = TINY_SOURCE.replace("archived: 2026-11-23\n", "archived: 2026-11-23\nawaiting_review: true\n")
AWAITING = "awaiting review: read the text against the original, complete the front matter, then delete the line `awaiting_review: true`"


def add_awaiting_source(root: Path) -> None:
    (root / "sources" / "new-article.md").write_text(AWAITING_SOURCE, encoding="utf-8")


BREAKAGES = {
    "a source awaiting review": add_awaiting_source,
    "a fact sheet": lambda root: replace_in(root / "briefings" / "energy.yaml", "status: stated", "status: rumoured"),
    "a quote": lambda root: replace_in(root / "briefings" / "energy.yaml", "carries gas to the east", "carried gas east"),
    "a source": lambda root: (root / "sources" / "test-article.md").write_bytes(b"\xff\xfe"),
    "mkdocs.yml": lambda root: replace_in(root / "mkdocs.yml", "name: material", "name: no-such-theme"),
    "mkdocs.yml's YAML": lambda root: replace_in(root / "mkdocs.yml", "site_name:", "nav: [\nsite_name:"),
    "a setting of ours in mkdocs.yml": lambda root: replace_in(root / "mkdocs.yml", "stale_after_days: 180", "stale_after_days: soon"),
    "the briefing's subject left out of mkdocs.yml": lambda root: replace_in(root / "mkdocs.yml", "subject: Russia–China relations", "subject:"),
    "mkdocs.yml as a list": lambda root: (root / "mkdocs.yml").write_text("- site_name: x\n", encoding="utf-8"),
    "a page template": lambda root: replace_in(root / "templates" / "topic.md.j2", "## Key judgement", "{% if %}"),
    "a macro": lambda root: replace_in(root / "templates" / "_macros.j2", "{% macro fact_item(fact, cite, root) %}", "{% macro fact_item(fact, cite, root) %}{{ no_such_value.here }}"),
    "the print template": lambda root: replace_in(root / "templates" / "print.typ", "#let doc = data.document", "#let doc = data.no-such-field"),
    "a file where staging/ goes": lambda root: shutil.rmtree(root / "staging") or (root / "staging").write_text("in the way"),
    "a print template reading outside templates/": lambda root: replace_in(root / "templates" / "print.typ", "#let doc = data.document", '#let doc = data.document\n#read("/etc/passwd")'),
}


@pytest.fixture(scope="module")
def built_project(tmp_path_factory) -> Path:
    """A small project built once; tests work on copies of it, site/ and all."""
    root = make_tiny_project(tmp_path_factory.mktemp("built") / "project")
    build(Project(root))
    return root


@pytest.fixture
def project(built_project: Path, tmp_path: Path, monkeypatch) -> Path:
    """A copy of the built project, alone in its folder, with the temporary folder redirected into an empty one."""
    root = tmp_path / "work" / "project"
    shutil.copytree(built_project, root, symlinks=True)
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    return root


def run_build(root: Path):
    result = CliRunner().invoke(main, ["build", "--project", str(root)])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


@pytest.mark.parametrize("breakage", BREAKAGES)
def test_a_failed_build_leaves_the_previous_site_exactly_as_it_was(breakage: str, project: Path, tmp_path: Path):
    site_before = snapshot(project / "site")
    assert "index.html" in site_before and "briefing.pdf" in site_before
    BREAKAGES[breakage](project)
    content_before = snapshot(project, skip=OUTPUT_FOLDERS)
    result = run_build(project)
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert lines[-1].endswith("problem(s) found; nothing was written to site/")
    assert all(re.match(r"^\S[^:]*(:\d+:\d+)?: \S", line) for line in lines[:-1]), result.output
    assert snapshot(project / "site") == site_before
    assert snapshot(project, skip=OUTPUT_FOLDERS) == content_before
    assert sorted(path.name for path in project.iterdir()) == BUILT_PROJECT
    assert [path.name for path in (tmp_path / "work").iterdir()] == ["project"]
    assert list((tmp_path / "tmp").iterdir()) == []


@pytest.mark.parametrize("command", ["build", "pdf"])
def test_build_and_pdf_refuse_to_publish_while_a_source_awaits_review(command: str, project: Path):
    site_before, staging_before = snapshot(project / "site"), snapshot(project / "staging")
    add_awaiting_source(project)
    result = CliRunner().invoke(main, [command, "--project", str(project)])
    assert result.exit_code == 1, result.output
    assert result.output.splitlines() == [
        f"sources/new-article.md:8:18: {AWAITING}",
        "1 problem(s) found; nothing was written to site/",
    ]
    assert snapshot(project / "site") == site_before
    assert snapshot(project / "staging") == staging_before


def test_a_source_nothing_cites_is_only_a_warning_for_build(project: Path):
    (project / "sources" / "new-article.md").write_text(TINY_SOURCE, encoding="utf-8")
    result = run_build(project)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "sources/new-article.md: warning: no fact, figure or glossary term cites this source: cite it or remove the file"
    ]
    assert (project / "site" / "sources" / "new-article.html").is_file()


def test_a_good_build_writes_only_into_site_and_staging(project: Path, tmp_path: Path):
    content_before = snapshot(project, skip=OUTPUT_FOLDERS)
    replace_in(project / "briefings" / "energy.yaml", "title: Energy", "title: Energy and gas")
    content_after_edit = snapshot(project, skip=OUTPUT_FOLDERS)
    assert content_after_edit != content_before
    result = run_build(project)
    assert result.exit_code == 0, result.output
    assert snapshot(project, skip=OUTPUT_FOLDERS) == content_after_edit
    assert "Energy and gas" in (project / "site" / "topics" / "energy.html").read_text(encoding="utf-8")
    assert sorted(path.name for path in project.iterdir()) == BUILT_PROJECT
    assert [path.name for path in (tmp_path / "work").iterdir()] == ["project"]
    assert list((tmp_path / "tmp").iterdir()) == []


def test_site_folder_is_readable_like_any_folder_the_build_makes(project: Path):
    run_build(project)
    assert (project / "site").stat().st_mode & 0o777 == (project / "site" / "topics").stat().st_mode & 0o777


def test_two_builds_of_the_same_content_are_byte_identical(built_project: Path, tmp_path: Path, monkeypatch):
    first, second = tmp_path / "first", tmp_path / "second" / "elsewhere"
    shutil.copytree(built_project, first, ignore=shutil.ignore_patterns(*OUTPUT_FOLDERS))
    shutil.copytree(built_project, second, ignore=shutil.ignore_patterns(*OUTPUT_FOLDERS))
    # Another day, as far as MkDocs can tell: it dates builds by SOURCE_DATE_EPOCH when set.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1000000000")
    build(Project(first))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "2000000000")
    build(Project(second))
    build(Project(second))  # and once more over its own previous output
    one, two = snapshot(first / "site"), snapshot(second / "site")
    assert sorted(one) == sorted(two)
    assert [name for name in one if one[name] != two[name]] == []
    assert snapshot(built_project / "site") == one


def built(tiny_project) -> Project:
    project = Project(tiny_project())
    build(project, with_pdf=False)
    return project


def test_a_build_with_nothing_changed_leaves_site_as_it_is(tiny_project):
    project = built(tiny_project)
    before = {path: path.stat().st_mtime_ns for path in project.site.rglob("*")}
    assert not build(project, with_pdf=False).rebuilt
    assert {path: path.stat().st_mtime_ns for path in project.site.rglob("*")} == before


@pytest.mark.parametrize(
    "edit",
    ["briefings/energy.yaml", "sources/test-article.md", "templates/topic.md.j2", "templates/print.typ", "mkdocs.yml"],
)
def test_a_change_to_any_input_rebuilds(tiny_project, edit):
    project = built(tiny_project)
    assert up_to_date(project, with_pdf=False)
    with (project.root / edit).open("a", encoding="utf-8") as file:
        file.write("\n")
    assert not up_to_date(project, with_pdf=False)


def test_an_environment_variable_mkdocs_yml_reads_rebuilds(tiny_project, monkeypatch):
    project = built(tiny_project)
    with project.config.open("a", encoding="utf-8") as file:
        file.write("copyright: !ENV [BRIEF_TEST_COPYRIGHT, 'none']\n")
    build(project, with_pdf=False)
    assert up_to_date(project, with_pdf=False)
    monkeypatch.setenv("BRIEF_TEST_COPYRIGHT", "changed")
    assert not up_to_date(project, with_pdf=False)


def test_other_paper_or_a_missing_site_rebuilds(tiny_project):
    project = built(tiny_project)
    assert not up_to_date(project, "letter")
    assert not up_to_date(project)  # built without the PDFs
    os.rename(project.site, project.root / "elsewhere")
    assert not up_to_date(project, with_pdf=False)


def test_unchanged_files_in_staging_keep_their_timestamps(tiny_project):
    project = built(tiny_project)
    before = {path: path.stat().st_mtime_ns for path in project.staging.rglob("*") if path.is_file()}
    pipeline.generate(project)
    assert {path: path.stat().st_mtime_ns for path in project.staging.rglob("*") if path.is_file()} == before


def test_the_command_line_says_when_site_is_up_to_date(tiny_project):
    root = tiny_project()
    first = CliRunner().invoke(main, ["build", "--project", str(root)])
    second = CliRunner().invoke(main, ["build", "--project", str(root)])
    assert first.exit_code == second.exit_code == 0, first.output + second.output
    assert first.output.startswith("built site/")
    assert second.output.startswith("site/ is up to date")


def pdf_inodes(project: Project) -> dict[str, int]:
    return {path.relative_to(project.site).as_posix(): path.stat().st_ino for path in project.site.rglob("*.pdf")}


def test_pdfs_are_printed_again_only_when_their_print_document_changes(tiny_project):
    project = Project(tiny_project())
    build(project)
    first = pdf_inodes(project)
    assert set(first) == {"briefing.pdf", "pdf/energy.pdf"}
    with (project.templates / "topic.md.j2").open("a", encoding="utf-8") as file:
        file.write("\n")  # the site's topic page only
    build(project)
    assert pdf_inodes(project) == first
    with (project.templates / "print.typ").open("a", encoding="utf-8") as file:
        file.write("\n// edited\n")
    build(project)
    assert all(inode != first[name] for name, inode in pdf_inodes(project).items())


def test_a_pdf_in_site_that_is_a_link_out_of_it_is_printed_again_not_linked_in(tiny_project, tmp_path):
    project = Project(tiny_project())
    build(project)
    outside = tmp_path / "secret.pdf"
    outside.write_bytes(b"not for the site")
    topic_pdf = project.site / "pdf" / "energy.pdf"
    topic_pdf.unlink()
    topic_pdf.symlink_to(outside)
    with (project.templates / "topic.md.j2").open("a", encoding="utf-8") as file:
        file.write("\n")  # a change that prints no PDF again: each PDF would be linked from the last build
    build(project)
    assert not topic_pdf.is_symlink() and topic_pdf.read_bytes().startswith(b"%PDF")
    assert os.stat(topic_pdf).st_ino != os.stat(outside).st_ino


# What keeps a large briefing's build linear: the navigation stops listing topics past a limit.
def briefing_with(count: int) -> SimpleNamespace:
    topics = [SimpleNamespace(id=f"topic-{n}", sheet=SimpleNamespace(title=f"Topic <{n}>")) for n in range(count)]
    return SimpleNamespace(topics=topics, glossary=())


def test_the_navigation_lists_each_topic_up_to_the_limit():
    nav = site_nav(briefing_with(NAV_TOPICS_MAX))
    (topics,) = [entry["Topics"] for entry in nav if "Topics" in entry]
    assert topics[0] == {"Topic &lt;0&gt;": "topics/topic-0.md"}
    assert len(topics) == NAV_TOPICS_MAX


def test_past_the_limit_the_overview_leads_to_the_topics():
    nav = site_nav(briefing_with(NAV_TOPICS_MAX + 1))
    assert not any("Topics" in entry for entry in nav)
    assert nav[0] == {"Overview": "index.md"}


# Links out of the project: nothing behind one is opened, hashed, copied or written.

_opened: list[str] | None = None


def _note_opening(event: str, args: tuple) -> None:
    if _opened is not None and event in ("open", "os.listdir", "os.scandir") and args and isinstance(args[0], (str, bytes, os.PathLike)):
        _opened.append(os.path.realpath(os.fsdecode(args[0])))


@pytest.fixture
def opened():
    """The real paths of the files this process opens, and the folders it lists, during the test."""
    global _opened
    if not getattr(sys, "_brief_test_hook", False):  # an audit hook cannot be removed: add it once, record only here
        sys.addaudithook(_note_opening)
        sys._brief_test_hook = True
    _opened = []
    yield _opened
    _opened = None


SECRET = "SECRET-OUTSIDE-THE-PROJECT"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the project, holding a file and a source that must not reach the site."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.txt").write_text(f"{SECRET}\n", encoding="utf-8")
    (folder / "test-article.md").write_text(TINY_SOURCE.replace("Alpha said", f"{SECRET} Alpha said"), encoding="utf-8")
    return folder


def inside(paths: list[str], folder: Path) -> list[str]:
    real = os.path.realpath(folder)
    return [path for path in paths if path == real or path.startswith(real + os.sep)]


def site_text(project: Path) -> str:
    return "".join(path.read_bytes().decode("utf-8", "replace") for path in (project / "site").rglob("*") if path.is_file())


LINKS_OUT = {
    "sources/": ("sources", "outside", "sources/: leads outside the project through a symbolic link: make it a folder inside the project"),
    "briefings/": ("briefings", "outside", "briefings/: leads outside the project through a symbolic link: make it a folder inside the project"),
    "an asset": ("templates/assets/leak.txt", "outside/secret.txt", "templates/assets/leak.txt: leads outside the project through a symbolic link: copy the file in instead"),
    "a page template": ("templates/methodology.md.j2", "outside/secret.txt", "templates/methodology.md.j2: leads outside the project through a symbolic link: copy the file in instead"),
    "the print template": ("templates/print.typ", "outside/secret.txt", "templates/print.typ: leads outside the project through a symbolic link: copy the file in instead"),
    "a folder of templates": ("templates/parts", "outside", "templates/parts/: leads outside the project through a symbolic link: copy the folder in instead"),
    "mkdocs.yml": ("mkdocs.yml", "outside/secret.txt", "mkdocs.yml: leads outside the project through a symbolic link: copy the file in instead"),
}


@pytest.mark.parametrize("case", LINKS_OUT)
def test_a_link_out_of_the_project_is_refused_and_nothing_behind_it_is_opened(case: str, project: Path, outside: Path, opened: list[str]):
    link, target, error = LINKS_OUT[case]
    site_before = snapshot(project / "site")
    path = project / link
    if path.is_dir():
        shutil.rmtree(path)
    path.unlink(missing_ok=True)
    path.symlink_to(outside.parent / target)

    result = run_build(project)

    assert result.exit_code == 1, result.output
    assert result.output.splitlines() == [error, "1 problem(s) found; nothing was written to site/"]
    assert inside(opened, outside) == []
    assert snapshot(project / "site") == site_before


def test_a_link_to_a_folder_in_the_project_that_holds_a_link_out_is_refused(project: Path, outside: Path, opened: list[str]):
    (project / "parts").mkdir()
    (project / "parts" / "leak.txt").symlink_to(outside / "secret.txt")
    (project / "templates" / "parts").symlink_to(project / "parts")

    result = run_build(project)

    assert result.exit_code == 1, result.output
    assert result.output.splitlines()[0] == "templates/parts/leak.txt: leads outside the project through a symbolic link: copy the file in instead"
    assert inside(opened, outside) == []


@pytest.mark.parametrize("command", ["build", "pdf"])
def test_build_and_pdf_write_nothing_through_a_site_folder_that_leads_outside(command: str, project: Path, outside: Path):
    (project / "briefings" / "energy.yaml").write_text((project / "briefings" / "energy.yaml").read_text(encoding="utf-8") + "\n", encoding="utf-8")
    shutil.rmtree(project / "site")
    (project / "site").symlink_to(outside)
    outside_before = snapshot(outside)

    result = CliRunner().invoke(main, [command, "--project", str(project)])

    assert result.exit_code == 1, result.output
    assert result.output.splitlines() == [
        "site/: leads outside the project through a symbolic link: remove the link; build makes the folder",
        "1 problem(s) found; nothing was written to site/",
    ]
    assert snapshot(outside) == outside_before
    assert (project / "site").is_symlink()


def test_the_lock_file_is_not_followed_out_of_the_project(project: Path, outside: Path):
    (project / ".site.lock").unlink(missing_ok=True)
    (project / ".site.lock").symlink_to(outside / "made-by-the-build")

    result = run_build(project)

    assert result.exit_code == 1, result.output
    assert result.output.splitlines()[0].startswith(".site.lock: cannot be opened as the build's lock (")
    assert not (outside / "made-by-the-build").exists()


def run_in_own_process(root: Path, command: str = "build") -> subprocess.CompletedProcess:
    """The command line run as a user runs it; a build that blocks (on a named pipe) is stopped and fails the test."""
    try:
        return subprocess.run([sys.executable, str(REPO / "build.py"), command, "--project", str(root)], capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{command} blocked")


@pytest.mark.parametrize("name", ["mkdocs.yml", "templates/topic.md.j2", "templates/assets/brief.css"])
def test_a_named_pipe_is_refused_without_being_opened(name: str, project: Path):
    (project / name).unlink()
    os.mkfifo(project / name)

    result = run_in_own_process(project)

    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr.splitlines() == [f"{name}: is not a regular file: replace it with one, or remove it", "1 problem(s) found; nothing was written to site/"]


INHERITS = {
    "a file outside": ("INHERIT: {outside}/secret.txt\n", {}, "mkdocs.yml:1:1: `INHERIT: {outside}/secret.txt` leads outside the project: inherit only from a file inside it"),
    "a link out": ("INHERIT: base.yml\n", {"base.yml": "link"}, "mkdocs.yml:1:1: `INHERIT: base.yml` leads outside the project: inherit only from a file inside it"),
    "a loop": ("INHERIT: base.yml\n", {"base.yml": "INHERIT: mkdocs.yml\n"}, "base.yml:1:1: `INHERIT: mkdocs.yml` comes back to a file already inherited: break the loop"),
    "a missing file": ("INHERIT: base.yml\n", {}, "mkdocs.yml:1:1: `INHERIT: base.yml` names a file that does not exist: correct the path"),
}


@pytest.mark.parametrize("case", INHERITS)
def test_mkdocs_yml_inherits_only_from_files_inside_the_project(case: str, project: Path, outside: Path, opened: list[str]):
    line, files, error = INHERITS[case]
    config = project / "mkdocs.yml"
    config.write_text(line.format(outside=outside) + config.read_text(encoding="utf-8"), encoding="utf-8")
    for name, text in files.items():
        if text == "link":
            (project / name).symlink_to(outside / "secret.txt")
        else:
            (project / name).write_text(text, encoding="utf-8")
    site_before = snapshot(project / "site")

    result = run_build(project)

    assert result.exit_code == 1, result.output
    assert result.output.splitlines() == [error.format(outside=outside), "1 problem(s) found; nothing was written to site/"]
    assert inside(opened, outside) == []
    assert snapshot(project / "site") == site_before


def test_what_mkdocs_yml_inherits_from_inside_the_project_is_read_as_mkdocs_reads_it(tiny_project):
    project = Project(tiny_project())
    text = project.config.read_text(encoding="utf-8")
    own, inherited = text.split("extra:\n", 1)
    (project.root / "base.yml").write_text("extra:\n" + inherited.replace("subject: Russia–China relations", "subject: Inherited subject"), encoding="utf-8")
    project.config.write_text("INHERIT: base.yml\n" + own, encoding="utf-8")

    build(project, with_pdf=False)

    assert "Inherited subject" in (project.site / "index.html").read_text(encoding="utf-8")
    base = project.root / "base.yml"
    base.write_text(base.read_text(encoding="utf-8").replace("Inherited subject", "Edited in the inherited file"), encoding="utf-8")
    assert not up_to_date(project, with_pdf=False)
    build(project, with_pdf=False)
    assert "Edited in the inherited file" in (project.site / "index.html").read_text(encoding="utf-8")


# One build at a time.


@pytest.fixture
def lock_held_elsewhere(project: Path):
    """Another process holding the project's build lock, as a running build does; killed at the end."""
    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl, os, sys; f = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT); fcntl.flock(f, fcntl.LOCK_EX); print('held', flush=True); sys.stdin.read()", str(project / ".site.lock")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline() == "held\n"
    yield holder
    holder.kill()
    holder.wait()


@pytest.mark.parametrize("command", ["build", "pdf"])
def test_a_second_build_or_pdf_stops_while_one_is_running(command: str, project: Path, lock_held_elsewhere):
    replace_in(project / "briefings" / "energy.yaml", "title: Energy", "title: Energy and gas")
    site_before = snapshot(project / "site")

    result = CliRunner().invoke(main, [command, "--project", str(project)])

    assert result.exit_code == 1, result.output
    assert result.output.splitlines() == [
        "site/: another build or pdf of this project is running: wait for it to finish, then run this again",
        "1 problem(s) found; nothing was written to site/",
    ]
    assert snapshot(project / "site") == site_before


def test_a_killed_build_leaves_no_lock_and_its_folders_are_removed_by_the_next(project: Path, lock_held_elsewhere):
    # What a build killed half-way leaves beside site/, as new as can be.
    left = [project / ".site-build-killed", project / ".site-old-killed"]
    for folder in left:
        folder.mkdir()
        (folder / "index.html").write_text("", encoding="utf-8")
    (project / ".site-notes").mkdir()  # not a build's
    replace_in(project / "briefings" / "energy.yaml", "title: Energy", "title: Energy and gas")
    lock_held_elsewhere.kill()
    lock_held_elsewhere.wait()

    result = run_build(project)

    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in project.iterdir()) == sorted([*BUILT_PROJECT, ".site-notes"])
    assert "Energy and gas" in (project / "site" / "topics" / "energy.html").read_text(encoding="utf-8")


def test_pdf_removes_the_old_topic_pdfs_a_killed_pdf_left_in_site(project: Path):
    (project / "site" / ".pdf-old-.site-build-killed").mkdir()

    result = CliRunner().invoke(main, ["pdf", "--project", str(project)])

    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in (project / "site").iterdir() if path.name.startswith(".")) == []


# A disk that cannot take the site is named as what it is.


@contextlib.contextmanager
def read_only(folder: Path):
    """folder made read-only, for root too (the immutable flag) when the tests run as root."""
    if os.geteuid() == 0:
        if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
            pytest.skip("cannot make a folder read-only for root here (chattr +i)")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
    else:
        mode = folder.stat().st_mode
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(mode)


def test_a_read_only_site_is_named_and_leaves_no_old_site_behind(project: Path):
    replace_in(project / "briefings" / "energy.yaml", "title: Energy", "title: Energy and gas")
    site_before = snapshot(project / "site")

    with read_only(project / "site" / "topics"):
        result = run_build(project)

    assert result.exit_code == 1, result.output
    assert result.output.splitlines() == [
        "site/topics/: is read-only, so the old site could not be removed once replaced: make it writable (chmod -R u+w site), or remove site/",
        "1 problem(s) found; nothing was written to site/",
    ]
    assert snapshot(project / "site") == site_before
    assert sorted(path.name for path in project.iterdir()) == BUILT_PROJECT


# A small disk of its own (tmpfs) in a mount namespace of its own: the build cannot fill or change the machine's.
DISKS = {
    "full": ("mount -t tmpfs -o size=1m tmpfs \"$1\" && cp -a \"$2\" \"$1/project\"", "cannot be written (No space left on device): free space on its disk, then run this again"),
    "read-only": (
        "mount -t tmpfs tmpfs \"$1\" && cp -a \"$2\" \"$1/project\" && mount -o remount,ro \"$1\"",
        "cannot be written (Read-only file system): its file system is read-only: work on a copy of the project on a writable disk",
    ),
}


@pytest.mark.parametrize("disk", DISKS)
def test_a_disk_that_cannot_take_the_site_is_named_not_blamed_on_mkdocs_yml(disk: str, tiny_project, tmp_path: Path):
    if shutil.which("unshare") is None or subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode != 0:
        pytest.skip("needs a mount namespace (unshare -rm)")
    mount, message = DISKS[disk]
    source, mounted = tiny_project(), tmp_path / "disk"
    mounted.mkdir()
    script = f'{mount} && cd "$1/project" && "$3" "$4" build --project .; echo "exit $?"; ls -A "$1/project"'
    result = subprocess.run(["unshare", "-rm", "sh", "-c", script, "sh", mounted, source, sys.executable, REPO / "build.py"], capture_output=True, text=True, timeout=300)

    project = f"{mounted}/project"
    assert result.stderr.splitlines() == [f"{project}/: {message}", "1 problem(s) found; nothing was written to site/"], result.stderr
    assert result.stdout.splitlines()[0] == "exit 1"
    assert sorted(result.stdout.splitlines()[1:]) == sorted(os.listdir(source) + (["staging", ".site.lock"] if disk == "full" else []))


@pytest.mark.parametrize("setting", ["hooks:\n  - {outside}/hook.py\n", "watch:\n  - {outside}\n"], ids=["hooks", "watch"])
def test_a_path_mkdocs_yml_names_outside_the_project_is_refused_before_mkdocs_reads_it(tiny_project, tmp_path, setting):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    ran = outside / "ran"
    (outside / "hook.py").write_text(f"open({str(ran)!r}, 'w').close()\n", encoding="utf-8")
    project = Project(tiny_project())
    project.config.write_text(project.config.read_text(encoding="utf-8") + setting.format(outside=outside), encoding="utf-8")
    with pytest.raises(ContentErrors) as refused:
        build(project, with_pdf=False)
    assert [error.path for error in refused.value.errors] == ["mkdocs.yml"]
    assert "leads outside the project: keep what MkDocs reads (hooks, theme.custom_dir, watch) inside it" in refused.value.errors[0].message
    assert not ran.exists() and not project.site.exists()


def test_a_theme_folder_outside_the_project_is_refused(tiny_project, tmp_path):
    project = Project(tiny_project())
    text = project.config.read_text(encoding="utf-8")
    assert "  custom_dir: templates/theme\n" in text
    project.config.write_text(text.replace("  custom_dir: templates/theme\n", f"  custom_dir: {tmp_path}\n", 1), encoding="utf-8")
    with pytest.raises(ContentErrors) as refused:
        build(project, with_pdf=False)
    assert f"{tmp_path} leads outside the project" in refused.value.errors[0].message


# --- the edition stamp: every page and PDF names the commit it was built from ----------------------


def git(root: Path, *args: str) -> str:
    # Its own name and address: the machine running the tests may have none configured.
    command = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", *args]
    return subprocess.run(command, cwd=root, capture_output=True, text=True, check=True).stdout.strip()


def committed(root: Path) -> str:
    """Commit everything in root; its short commit, as the stamp names it."""
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "content")
    return git(root, "rev-parse", "--short=12", "HEAD")


def page_text(project: Project, page: str) -> str:
    """The page's text as a reader sees it: its tags stripped, its entities read."""
    return html.unescape(re.sub(r"<[^>]+>", "", (project.site / page).read_text(encoding="utf-8")))


def page_count(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())


STAMPED_PAGES = ("index.html", "topics/energy.html", "sources/test-article.html")


def test_a_project_in_git_names_its_commit_on_every_page_and_pdf(tiny_project):
    project = Project(tiny_project())
    git(project.root, "init", "-q")
    commit = committed(project.root)
    build(project)
    for page in STAMPED_PAGES:
        assert f"Edition of 21 January 2025 · commit {commit}" in page_text(project, page), page
    for pdf in ("briefing.pdf", "pdf/energy.pdf"):
        text = pdf_text(project.site / pdf)
        assert f"Edition of 21 January 2025 · commit {commit}" in text, pdf  # the cover, or a topic's header block
        assert text.count(f"commit {commit}") >= page_count(project.site / pdf), pdf  # and the footer of every page but the cover
        assert "unversioned" not in text


def test_content_changed_since_the_commit_is_named_so(tiny_project):
    project = Project(tiny_project())
    git(project.root, "init", "-q")
    commit = committed(project.root)
    replace_in(project.root / "briefings" / "energy.yaml", "title: Energy", "title: Energy and gas")
    build(project, with_pdf=False)
    assert f"Edition of 21 January 2025 · commit {commit} + uncommitted changes" in page_text(project, "index.html")
    commit = committed(project.root)
    build(project, with_pdf=False)
    text = page_text(project, "index.html")
    assert f"commit {commit}" in text
    assert "uncommitted changes" not in text


def test_a_new_commit_of_the_same_content_builds_again(tiny_project):
    project = Project(tiny_project())
    git(project.root, "init", "-q")
    committed(project.root)
    build(project, with_pdf=False)
    assert up_to_date(project, with_pdf=False)
    (project.root / "README.md").write_text("Not read by the build.\n", encoding="utf-8")
    commit = committed(project.root)
    assert not up_to_date(project, with_pdf=False)
    assert build(project, with_pdf=False).rebuilt
    assert f"commit {commit}" in page_text(project, "topics/energy.html")


def test_a_file_the_build_does_not_read_leaves_the_commit_clean(tiny_project):
    project = Project(tiny_project())
    git(project.root, "init", "-q")
    commit = committed(project.root)
    (project.root / "notes.txt").write_text("An editor's own notes.\n", encoding="utf-8")
    build(project, with_pdf=False)
    # Built twice: the output folders the first build wrote are not changes to the content either.
    assert not build(project, with_pdf=False).rebuilt
    text = page_text(project, "index.html")
    assert f"Edition of 21 January 2025 · commit {commit}" in text
    assert "uncommitted changes" not in text


def test_an_uncommitted_change_to_any_input_is_named(tiny_project):
    project = Project(tiny_project())
    for name in ("glossary.yaml", "overview.yaml"):  # optional inputs, there to be changed too
        (project.root / name).write_text("# none yet\n", encoding="utf-8")
    git(project.root, "init", "-q")
    commit = committed(project.root)
    for path in project.inputs():
        before = path.read_bytes()
        path.write_bytes(before + b"\n")
        assert project.built_from() == f"commit {commit} + uncommitted changes", path
        path.write_bytes(before)
    assert project.built_from() == f"commit {commit}"


@pytest.fixture
def outside_git(tmp_path: Path, monkeypatch) -> Path:
    """A folder git does not look above for a repository, so a project in it is in none, wherever the tests run."""
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    return tmp_path


def test_a_project_outside_git_is_named_unversioned(outside_git: Path):
    project = Project(make_tiny_project(outside_git / "project"))
    build(project)
    for page in STAMPED_PAGES:
        assert "Edition of 21 January 2025 · unversioned" in page_text(project, page), page
    assert "Edition of 21 January 2025 · unversioned" in pdf_text(project.site / "briefing.pdf")


def test_a_repository_with_no_commit_yet_is_unversioned(outside_git: Path):
    project = Project(make_tiny_project(outside_git / "project"))
    git(project.root, "init", "-q")
    build(project, with_pdf=False)
    assert "Edition of 21 January 2025 · unversioned" in page_text(project, "index.html")


def test_without_git_installed_the_build_says_unversioned(outside_git: Path, monkeypatch):
    root = make_tiny_project(outside_git / "project")
    git(root, "init", "-q")
    committed(root)
    empty = outside_git / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))  # no git to be found
    result = run_build(root)
    assert result.exit_code == 0, result.output
    assert "Edition of 21 January 2025 · unversioned" in page_text(Project(root), "index.html")
