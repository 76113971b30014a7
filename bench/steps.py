"""One measured step of the build, run in a fresh process: `python -m bench.steps STEP PROJECT [--no-pdf]`.

Prints one JSON line: the step's own time (wall and CPU, imports and untimed
set-up excluded) and the process's peak resident memory. Running each step in
its own process keeps one step's caches and memory out of the next one's figures.
"""

from __future__ import annotations

import json
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from brief import pdf
from brief.cache import Cache
from brief.pipeline import Memory, Project, build, check, generate, site_nav
from brief.serve import Preview, rebuild_site
from brief.site import briefing_subject, build_site, read_site_config

PDF_SAMPLE_TOPICS = 10  # above the scale where every PDF is printed: the whole briefing and this many topic PDFs
EDIT_MARKER = "Edited for the benchmark"


def measure(action: Callable[[], object]) -> dict[str, float]:
    """Wall and CPU seconds of action, and the peak memory of this process so far (PDF batches run in processes of their own: peak_child_mib)."""
    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    action()
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"wall": wall, "cpu": cpu, "peak_mib": after.ru_maxrss / 1024, "peak_child_mib": children.ru_maxrss / 1024}


def clean(project: Project) -> None:
    """Set aside what a build leaves behind, the cache of parsed files included, so the next one starts from nothing."""
    discard(project.root / "staging", project)
    discard(project.site, project)
    forget_parsed(project)


def forget_parsed(project: Project) -> None:
    folder = Cache.for_project(project.root).folder
    if folder is not None:
        discard(folder, project)


DISCARDED = ".bench-discarded"  # in the project; removed with it when the benchmark ends


def discard(path: Path, project: Project) -> None:
    """Move path out of the way, to be deleted only when the benchmark ends.

    Deleted here, its files would slow down the files the next step creates: ext4 does not
    reuse an inode freed in the last minutes (recently_deleted in fs/ext4/ialloc.c), so after
    thousands of deletions, each new file costs more kernel time, growing run after run
    (measured in bench/README.md). A build in a fresh clone never pays that, so no step here does either.
    """
    if not path.exists():
        return
    try:
        path.rename(new_folder(project) / path.name)
    except OSError:  # on another file system (a cache folder elsewhere)
        shutil.rmtree(path, ignore_errors=True)


def new_folder(project: Project) -> Path:
    """An empty folder for a step's output, set aside with the discarded ones."""
    (project.root / DISCARDED).mkdir(exist_ok=True)
    return Path(tempfile.mkdtemp(dir=project.root / DISCARDED))


def step_check(project: Project) -> dict[str, float]:
    """check with nothing parsed before (it also writes the cache of parsed files)."""
    forget_parsed(project)
    return measure(lambda: check(project))


def step_check_edit(project: Project) -> dict[str, float]:
    """check after one fact is edited, the editor's loop: the other files come from the cache."""
    check(project)
    edit_one_fact(project)
    return measure(lambda: check(project))


def step_generate(project: Project) -> dict[str, float]:
    """check and render into an empty staging folder, with nothing parsed before."""
    discard(project.root / "staging", project)
    forget_parsed(project)
    return measure(lambda: generate(project))


def step_mkdocs(project: Project) -> dict[str, float]:
    """MkDocs alone, on the pages generate staged, into a new folder."""
    briefing, _ = generate(project)
    output = new_folder(project)
    return measure(lambda: build_site(project.config, project.staging, output, site_nav(briefing)))


def step_pdf(project: Project) -> dict[str, float]:
    """Every PDF (the whole briefing and one per topic), printed into a new folder."""
    briefing = check(project)
    output = new_folder(project)
    return measure(lambda: pdf.write_pdfs(briefing, project.templates, output, briefing_subject(read_site_config(project.config))))


def step_pdf_sample(project: Project) -> dict[str, float]:
    """The whole briefing (its volumes too) and the first topics' PDFs, compiled as build compiles them (in
    batches, by two processes when there are enough): for scales where every topic PDF would take long."""
    briefing = check(project)
    every = pdf.editions(briefing, briefing_subject(read_site_config(project.config)))
    sample = [edition for edition in every if edition.whole] + [edition for edition in every if not edition.whole][:PDF_SAMPLE_TOPICS]

    def print_sample() -> None:
        jobs = [(edition, json.dumps(pdf.print_data(briefing, edition), ensure_ascii=False)) for edition in sample]
        for edition, compiled in zip(sample, pdf.compiled_editions(project.templates, jobs)):
            (output / Path(edition.path).name).write_bytes(compiled.pdf)

    output = new_folder(project)
    figures = measure(print_sample)
    return {**figures, "facts": sum(edition.fact_count for edition in sample)}


def step_build(project: Project, with_pdf: bool) -> dict[str, float]:
    """`build` from nothing: no staging folder, no site."""
    clean(project)
    return measure(lambda: build(project, with_pdf=with_pdf))


def step_rebuild(project: Project, with_pdf: bool) -> dict[str, float]:
    """`build` again with nothing changed since the last one."""
    build(project, with_pdf=with_pdf)
    return measure(lambda: build(project, with_pdf=with_pdf))


def step_serve_edit(project: Project) -> dict[str, float]:
    """serve's rebuild after one fact's text is edited, once its first build is done."""
    preview = Preview(Memory(Cache.for_project(project.root)))
    served = new_folder(project) / "site"
    served.mkdir()
    rebuild_site(project, served, preview)
    sheet, page = edit_one_fact(project)
    figures = measure(lambda: rebuild_site(project, served, preview))
    if EDIT_MARKER not in (served / page).read_text(encoding="utf-8"):
        raise SystemExit(f"the edit to {sheet} is not on {page} after the rebuild")
    return figures


def edit_one_fact(project: Project) -> tuple[str, str]:
    """Change the text of the first fact of the first sheet; returns the sheet and the page that shows it."""
    sheet = sorted((project.root / "briefings").glob("*.yaml"))[0]
    text = sheet.read_text(encoding="utf-8")
    before, found, after = text.partition('    text: "')
    if not found:
        raise SystemExit(f"no fact text in {sheet}")
    # The time in letters (0-9 as a-j): unique to each edit, and no number the fact's quotes would have to state.
    stamp = str(time.time_ns()).translate(str.maketrans("0123456789", "abcdefghij"))
    sheet.write_text(f'{before}{found}{EDIT_MARKER} {stamp}: {after}', encoding="utf-8")
    return sheet.name, f"topics/{sheet.stem}.html"


STEPS: dict[str, Callable[..., dict[str, float]]] = {
    "check": step_check,
    "check_edit": step_check_edit,
    "generate": step_generate,
    "mkdocs": step_mkdocs,
    "pdf": step_pdf,
    "pdf_sample": step_pdf_sample,
    "build": step_build,
    "rebuild": step_rebuild,
    "serve_edit": step_serve_edit,
}


def main(argv: list[str]) -> None:
    name, root, *options = argv
    project = Project(Path(root).resolve())
    step = STEPS[name]
    figures = step(project, "--no-pdf" not in options) if name in ("build", "rebuild") else step(project)
    print(json.dumps(figures))


if __name__ == "__main__":
    main(sys.argv[1:])
