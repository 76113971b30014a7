"""The benchmark, at a tiny scale: its synthetic content is valid, and it reports every figure it promises."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.generate import Scale, generate_project
from bench.report import markdown
from bench.run import main as run_benchmark
from brief.pipeline import Project, check

pytestmark = pytest.mark.perf


def test_generated_content_passes_check_and_quotes_come_from_their_sources(tmp_path: Path):
    root = generate_project(tmp_path / "project", Scale(2))
    briefing = check(Project(root))
    assert (len(briefing.topics), briefing.fact_count, len(briefing.sources)) == (2, 50, 5)
    assert all(4 * 1024 * 0.7 <= len(source.text.original) <= 5 * 1024 * 1.1 for source in briefing.sources.values())


def test_generation_is_deterministic(tmp_path: Path):
    first = generate_project(tmp_path / "a", Scale(1))
    second = generate_project(tmp_path / "b", Scale(1))
    for path in sorted((first / "briefings").iterdir()) + sorted((first / "sources").iterdir()):
        assert path.read_bytes() == (second / path.relative_to(first)).read_bytes()


def test_a_run_reports_every_stage_per_scale(tmp_path: Path):
    output = tmp_path / "latest.json"
    run_benchmark(["--scales", "1", "--runs", "1", "--output", str(output)])
    report = json.loads(output.read_text(encoding="utf-8"))
    assert set(report["machine"]) == {"nproc", "cpu", "python", "system"}
    (scale,) = report["scales"]
    assert set(scale["stages"]) == {"check", "check_edit", "generate", "mkdocs", "pdf", "build", "rebuild", "serve_edit"}
    for figures in scale["stages"].values():
        assert {"wall", "cpu", "peak_mib", "process_wall"} <= set(figures)
    assert {"generate_to_mkdocs", "rebuild_to_build", "ms_per_fact"} <= set(scale)
    assert set(scale["ms_per_fact"]) == set(scale["stages"])
    assert "| 25 (1 / 2 /" in markdown(report)


def test_above_the_pdf_scale_the_whole_briefing_and_a_sample_of_topic_pdfs_are_printed(tmp_path: Path):
    output = tmp_path / "latest.json"
    run_benchmark(["--scales", "2", "--runs", "1", "--pdf-max-topics", "1", "--output", str(output)])
    report = json.loads(output.read_text(encoding="utf-8"))
    (scale,) = report["scales"]
    assert scale["stages"]["pdf_sample"]["facts"] == 2 * 50  # the whole briefing's 50 facts, then each topic's 25
    assert "the whole briefing and the first topic PDFs" in markdown(report)
