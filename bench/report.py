"""The benchmark's figures as Markdown tables: `python -m bench.report [--write README.md]`.

With --write, the tables replace what stands between the markers
`<!-- bench:start -->` and `<!-- bench:end -->` in that file, so the README
shows the figures of bench/results/latest.json and nothing else is touched.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
COLUMNS = [
    ("check", "check"),
    ("check_edit", "check, one fact edited"),
    ("generate", "generate"),
    ("mkdocs", "MkDocs"),
    ("pdf", "PDF"),
    ("build", "build, clean"),
    ("rebuild", "build, nothing changed"),
    ("serve_edit", "serve, one fact edited"),
]


def seconds(value: float) -> str:
    return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


def pdf_cell(stages: dict) -> str:
    if "pdf" in stages:
        return seconds(stages["pdf"]["wall"])
    sample = stages.get("pdf_sample")
    if not sample:
        return "–"
    return f"{seconds(sample['wall'])}, {sample['peak_mib']:.0f} MiB, for {sample['facts']:,.0f} facts (the whole briefing and the first topic PDFs)"


def memory_cell(build: dict) -> str:
    """The build's peak, and its largest child process's apart (a process compiling PDFs)."""
    child = build.get("peak_child_mib", 0)
    return f"{build['peak_mib']:.0f} MiB" + (f" (largest child: {child:.0f} MiB)" if child else "")


def stage_table(report: dict) -> list[str]:
    head = ["facts (topics / sources / pages)"] + [title for _, title in COLUMNS] + ["peak memory", "generate ÷ MkDocs"]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for scale in report["scales"]:
        stages = scale["stages"]
        cells = [f"{scale['facts']:,} ({scale['topics']} / {scale['sources']} / {scale['pages']})"]
        cells += [pdf_cell(stages) if key == "pdf" else seconds(stages[key]["wall"]) for key, _ in COLUMNS]
        if not scale["builds_print_pdfs"]:
            for index, (key, _) in enumerate(COLUMNS, 1):
                if key in ("build", "rebuild"):
                    cells[index] += " (no PDF)"
        cells += [memory_cell(stages["build"]), f"{100 * scale['generate_to_mkdocs']:.0f} %"]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def per_fact_table(report: dict) -> list[str]:
    scales = report["scales"]
    head = ["ms per fact"] + [f"{scale['facts']:,} facts" for scale in scales]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for key, title in COLUMNS:
        if key == "pdf":
            values = [scale["ms_per_fact"].get("pdf", scale["ms_per_fact"].get("pdf_sample")) for scale in scales]
        else:
            values = [scale["ms_per_fact"][key] for scale in scales]
        lines.append("| " + " | ".join([title] + [f"{value:.2f}" if value is not None else "–" for value in values]) + " |")
    return lines


def machine_line(report: dict) -> str:
    machine = report["machine"]
    return (
        f"Measured {report['date']} on {machine['nproc']} CPUs ({machine['cpu']}), Python {machine['python']}, "
        f"{machine['system']}; median of {report['runs']} runs per step, each in a new process; "
        f"load average {report['load_average_before'][0]} before, {report['load_average_after'][0]} after "
        f"(other work on the machine slows wall times; each step's CPU time is in the JSON)."
    )


def markdown(report: dict) -> str:
    return "\n".join([machine_line(report), "", *stage_table(report), "", *per_fact_table(report)])


def print_tables(report: dict) -> None:
    print(markdown(report))


def write_between_markers(path: Path, text: str) -> None:
    content = path.read_text(encoding="utf-8")
    before, start, rest = content.partition(START)
    _, end, after = rest.partition(END)
    if not (start and end):
        raise SystemExit(f"{path} has no {START} ... {END} markers")
    path.write_text(f"{before}{START}\n{text}\n{END}{after}", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--write", type=Path, help="a Markdown file with the bench markers to update")
    options = parser.parse_args(argv)
    report = json.loads(options.results.read_text(encoding="utf-8"))
    if options.write:
        write_between_markers(options.write, markdown(report))
    else:
        print_tables(report)


if __name__ == "__main__":
    main()
