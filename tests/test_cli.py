"""The command line, through Click's runner: exit codes and what the editor sees."""

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time

import pytest
from click.testing import CliRunner

from brief.cli import main
from conftest import REPO, TINY_SHEET, TINY_SOURCE


def test_check_passes_on_the_shipped_content():
    result = CliRunner(env={"GITHUB_ACTIONS": None}).invoke(main, ["check"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""  # no warning either: every source is cited, none awaits review
    assert result.stdout.startswith("ok: 4 topics")
    assert result.stdout.endswith(" sources, every quote found; 0 awaiting review\n")


def test_check_prints_path_line_col_and_exits_1(tiny_project):
    root = tiny_project({"energy": TINY_SHEET.replace("status: stated", "status: rumoured")})
    result = CliRunner().invoke(main, ["check", "--project", str(root)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "briefings/energy.yaml:9:13: 'rumoured' is not a status: use one of stated, reported, confirmed, disputed, denied",
        "1 problem(s) found; nothing was written to site/",
    ]
    assert "Traceback" not in result.output


def test_build_writes_the_site(tiny_project):
    root = tiny_project()
    result = CliRunner().invoke(main, ["build", "--project", str(root)])
    assert result.exit_code == 0, result.output
    assert (root / "site" / "topics" / "energy.html").is_file()


def test_help_lists_the_commands():
    result = CliRunner().invoke(main, ["--help"])
    for command in ("check", "build", "serve"):
        assert command in result.output


# An ASCII locale without Python's UTF-8 mode: file names are decoded as ASCII, their other bytes kept as surrogates.
ASCII_LOCALE = {"LC_ALL": "POSIX", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}
UTF8_LOCALE = {"LC_ALL": "C.UTF-8"}


def add_source_named(root, name: bytes) -> None:
    """A valid source under a file name given as bytes, whatever the test's own locale."""
    with open(os.fsencode(root / "sources") + b"/" + name, "w", encoding="utf-8") as file:
        file.write(TINY_SOURCE)


@pytest.mark.parametrize(
    ("command", "locale", "name"),
    [
        ("check", ASCII_LOCALE, "réuters.md".encode()),
        ("check", UTF8_LOCALE, b"r\xe9uters.md"),  # Latin-1, not UTF-8
        ("build", ASCII_LOCALE, "réuters.md".encode()),
    ],
    ids=["check-ascii-locale", "check-latin-1-name", "build-ascii-locale"],
)
def test_a_file_name_not_in_the_locales_encoding_is_an_error_not_a_traceback(tiny_project, command, locale, name):
    root = tiny_project()
    add_source_named(root, name)
    result = subprocess.run(
        [sys.executable, str(REPO / "build.py"), command, "--project", str(root)],
        capture_output=True,
        text=True,
        errors="backslashreplace",
        env={**os.environ, **locale},
        timeout=120,
    )
    assert "Traceback" not in result.stderr
    assert result.returncode == 1, result.stderr
    *errors, summary = result.stderr.splitlines()
    assert summary.startswith("1 problem(s) found; ")
    assert len(errors) == 1 and errors[0].startswith("sources/r") and "uters.md: " in errors[0], result.stderr


class Watching:
    """`build.py check --watch` in a child process, its output (stdout and stderr, in order) read line by line."""

    def __init__(self, root):
        from test_serve import as_from_a_terminal

        self.process = subprocess.Popen(
            [sys.executable, str(REPO / "build.py"), "check", "--watch", "--project", str(root)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            preexec_fn=as_from_a_terminal,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=lambda: [self.lines.put(line.rstrip("\n")) for line in self.process.stdout], daemon=True).start()

    def lines_until(self, part: str, timeout: float = 60) -> list[str]:
        """The lines printed up to the first holding part, which is last."""
        deadline, lines = time.monotonic() + timeout, []
        while time.monotonic() < deadline:
            try:
                lines.append(self.lines.get(timeout=0.2))
            except queue.Empty:
                continue
            if part in lines[-1]:
                self.seen += lines
                return lines
        raise AssertionError(f"no line with {part!r} within {timeout} s; output: {self.seen + lines}")

    def stopped(self, sig: int) -> str:
        """What it printed once stopped by sig; killed if it does not stop."""
        self.process.send_signal(sig)
        try:
            return self.process.communicate(timeout=30)[0]
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.communicate(timeout=10)


RUN_HEADER = re.compile(r"^--- check at \d\d:\d\d:\d\d ---$")


def test_check_watch_reprints_the_problems_on_every_save_and_ctrl_c_ends_it_quietly(tiny_project):
    root = tiny_project()
    sheet = root / "briefings" / "energy.yaml"
    watching = Watching(root)
    try:
        first = watching.lines_until("no problems: 1 topics, 1 facts, 1 sources")
        assert RUN_HEADER.match(first[-2]), first

        sheet.write_text(TINY_SHEET.replace("status: stated", "status: rumoured"), encoding="utf-8")
        run = watching.lines_until("problem(s) found")[-3:]
        assert RUN_HEADER.match(run[0]), run
        assert run[1:] == [
            "briefings/energy.yaml:9:13: 'rumoured' is not a status: use one of stated, reported, confirmed, disputed, denied",
            "1 problem(s) found",
        ]

        sheet.write_text(TINY_SHEET, encoding="utf-8")
        assert RUN_HEADER.match(watching.lines_until("no problems: ")[-2])
    finally:
        rest = watching.stopped(signal.SIGINT)
    assert watching.process.returncode == 0
    assert rest.strip() == ""  # quietly: no traceback, no "Aborted!"


def test_check_watch_stops_on_sigterm_with_exit_code_0(tiny_project):
    watching = Watching(tiny_project())
    try:
        watching.lines_until("no problems: ")
    finally:
        rest = watching.stopped(signal.SIGTERM)
    assert watching.process.returncode == 0
    assert rest.strip() == ""
