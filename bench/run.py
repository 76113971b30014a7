"""The benchmark: synthetic briefings at several scales, each build stage timed in fresh processes.

    python -m bench.run [--scales 4,40,400] [--runs 3] [--pdf-max-topics 400]

Prints a table and writes the figures to bench/results/latest.json (see
bench/README.md for what each step measures). Every figure is the median of
--runs runs, each in a new process.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .generate import REPO, Scale, generate_project
from .report import print_tables

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"
# Every PDF is printed up to this scale; above it, where printing them all would take long, the whole
# briefing and a sample of topic PDFs.
PDF_MAX_TOPICS = 400


def run_step(step: str, root: Path, options: list[str]) -> dict[str, float]:
    """One run of a step in a new Python process; its figures, plus the process's own wall time."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "bench.steps", step, str(root), *options], cwd=REPO, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"step {step} failed on {root}:\n{done.stdout}\n{done.stderr}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return {**figures, "process_wall": time.perf_counter() - started}


def median_of(step: str, root: Path, runs: int, options: list[str]) -> dict[str, float]:
    """The median of each figure over runs."""
    results = [run_step(step, root, options) for _ in range(runs)]
    return {key: statistics.median(result[key] for result in results) for key in results[0]}


def steps_for(scale: Scale, pdf_max_topics: int) -> list[str]:
    """In order: the clean build leaves the site that the no-change rebuild then finds."""
    printing = "pdf" if scale.topics <= pdf_max_topics else "pdf_sample"
    return ["check", "check_edit", "generate", "mkdocs", printing, "build", "rebuild", "serve_edit"]


def measure_scale(scale: Scale, runs: int, pdf_max_topics: int, workdir: Path) -> dict:
    root = generate_project(workdir / f"topics-{scale.topics}", scale)
    with_pdf = scale.topics <= pdf_max_topics
    stages = {}
    for step in steps_for(scale, pdf_max_topics):
        print(f"  {scale.topics} topics: {step} ...", file=sys.stderr, flush=True)
        stages[step] = median_of(step, root, runs, [] if with_pdf else ["--no-pdf"])
    return {
        "topics": scale.topics,
        "builds_print_pdfs": with_pdf,
        "sources": scale.sources,
        "facts": scale.facts,
        "pages": len(list((root / "staging" / "docs").rglob("*.md"))),
        "stages": stages,
        "generate_to_mkdocs": stages["generate"]["wall"] / stages["mkdocs"]["wall"],
        "rebuild_to_build": stages["rebuild"]["wall"] / stages["build"]["wall"],
        "ms_per_fact": {step: 1000 * figures["wall"] / figures.get("facts", scale.facts) for step, figures in stages.items()},
    }


def machine() -> dict:
    model = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
        platform.processor() or "unknown",
    ) if Path("/proc/cpuinfo").exists() else platform.processor() or "unknown"
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
    }


def load_average() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="4,40,400", help="topic counts, comma-separated (25 facts per topic)")
    parser.add_argument("--runs", type=int, default=3, help="runs per step; the median is reported")
    parser.add_argument("--pdf-max-topics", type=int, default=PDF_MAX_TOPICS, help="largest scale to print every PDF at")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where to write the JSON figures")
    options = parser.parse_args(argv)
    report = {"machine": machine(), "runs": options.runs, "load_average_before": load_average(), "scales": []}
    started = time.time()
    user_cache = os.environ.get("BRIEF_CACHE_DIR")
    with tempfile.TemporaryDirectory(prefix="brief-bench-") as workdir:
        os.environ["BRIEF_CACHE_DIR"] = str(Path(workdir) / "cache")  # the steps' parsed files, not the user's
        try:
            for topics in (int(part) for part in options.scales.split(",")):
                report["scales"].append(measure_scale(Scale(topics), options.runs, options.pdf_max_topics, Path(workdir)))
        finally:
            os.environ.pop("BRIEF_CACHE_DIR")
            if user_cache is not None:
                os.environ["BRIEF_CACHE_DIR"] = user_cache
    report["load_average_after"] = load_average()
    report["minutes"] = round((time.time() - started) / 60, 1)
    report["date"] = time.strftime("%Y-%m-%d")
    options.output.parent.mkdir(parents=True, exist_ok=True)
    options.output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print_tables(report)


if __name__ == "__main__":
    main()
