"""Live preview, end to end: `build.py serve` on a project copy, edited while a client polls the page."""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import REPO

START_TIMEOUT = 90  # the first build of the whole site, on a busy CI machine
CHANGE_TIMEOUT = 30  # how long to wait for an edit to show before calling it a hang (speed: tests/test_perf.py)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """`build.py serve` in a child process, with its output lines collected as they come."""

    def __init__(self, root: Path, port: int):
        self.url = f"http://127.0.0.1:{port}/"
        self.process = subprocess.Popen(
            [sys.executable, str(REPO / "build.py"), "serve", "--project", str(root), "--port", str(port)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self.readers = [threading.Thread(target=self._collect, args=(stream,), daemon=True) for stream in (self.process.stdout, self.process.stderr)]
        for reader in self.readers:
            reader.start()

    def _collect(self, stream) -> None:
        for line in stream:
            self.lines.put(line.rstrip("\n"))

    def wait_for_line(self, part: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                finished = self.process.poll() is not None and not any(reader.is_alive() for reader in self.readers)
                assert not (finished and self.lines.empty()), f"serve exited: {self.seen}"
                continue
            self.seen.append(line)
            if part in line:
                return line
        raise AssertionError(f"no line with {part!r} within {timeout} s; output so far: {self.seen}")

    def page(self, path: str) -> str:
        with urllib.request.urlopen(self.url + path, timeout=10) as response:
            return response.read().decode("utf-8")

    def page_or_none(self, path: str) -> str:
        """The page, or "" while it is not served yet (a 404 until the rebuild that makes it)."""
        try:
            return self.page(path)
        except urllib.error.URLError:
            return ""

    def is_up(self) -> bool:
        # The port opens just after the first build is reported.
        return bool(self.page_or_none("index.html"))

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)  # Ctrl+C, which serve handles by cleaning up
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def server(project_copy: Path):
    running = Server(project_copy, free_port())
    try:
        yield running
    finally:
        running.stop()


def seconds_until(condition, timeout: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"not seen within {timeout} s")


def test_saving_a_sheet_rebuilds_and_a_broken_save_keeps_the_last_good_site(server, project_copy):
    assert server.wait_for_line("serving http://127.0.0.1:", START_TIMEOUT)
    server.wait_for_line("rebuilt in", START_TIMEOUT)
    seconds_until(server.is_up, CHANGE_TIMEOUT)
    sheet = project_copy / "briefings" / "energy.yaml"
    original = sheet.read_text(encoding="utf-8")
    assert "Putin says China is the largest" in server.page("topics/energy.html")

    marker = "Edited-while-serving"
    edited = original.replace("Putin says China is the largest", f"{marker}: Putin says China is the largest", 1)
    assert edited != original
    sheet.write_text(edited, encoding="utf-8")
    seconds_until(lambda: marker in server.page("topics/energy.html"), CHANGE_TIMEOUT)
    assert server.wait_for_line("rebuilt in", CHANGE_TIMEOUT).endswith(" s")

    sheet.write_text(edited.replace("status: stated", "status: rumoured", 1), encoding="utf-8")
    error = server.wait_for_line("'rumoured' is not a status", CHANGE_TIMEOUT)
    assert error.startswith("briefings/energy.yaml:")
    server.wait_for_line("still serving the last good site", CHANGE_TIMEOUT)
    assert marker in server.page("topics/energy.html")
    assert server.page("index.html")  # the rest of the last good site is still there too

    sheet.write_text(original, encoding="utf-8")
    seconds_until(lambda: marker not in server.page("topics/energy.html"), CHANGE_TIMEOUT)


def test_a_busy_port_is_a_clear_error(project_copy):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = Server(project_copy, port)
        try:
            busy.wait_for_line(f"cannot serve on port {port}", START_TIMEOUT)
            assert busy.process.wait(timeout=30) == 1
        finally:
            busy.stop()


def test_ctrl_c_during_the_first_build_leaves_no_temporary_folder(project_copy, tmp_path):
    env_tmp = tmp_path / "tmp"
    env_tmp.mkdir()
    process = subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), "serve", "--project", str(project_copy), "--port", str(free_port())],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "TMPDIR": str(env_tmp)},
    )
    try:
        assert process.stdout.readline().startswith("serving http://")  # printed just before the first build
        seconds_until(lambda: any(env_tmp.glob("brief-serve-*")), CHANGE_TIMEOUT)
        process.send_signal(signal.SIGINT)
        process.wait(timeout=CHANGE_TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
    assert list(env_tmp.glob("brief-serve-*")) == []


def test_a_source_awaiting_review_is_previewed_with_its_warning(server, project_copy):
    server.wait_for_line("rebuilt in", START_TIMEOUT)
    seconds_until(server.is_up, CHANGE_TIMEOUT)
    text = "---\ntitle: Fresh article\npublisher: null\nauthor: null\npublished: null\nurl: null\narchived: 2026-11-23\nawaiting_review: true\n---\nFresh text.\n"
    (project_copy / "sources" / "fresh-article.md").write_text(text, encoding="utf-8")
    warning = server.wait_for_line("sources/fresh-article.md:8:18: warning: awaiting review", CHANGE_TIMEOUT)
    assert warning.endswith("then delete the line `awaiting_review: true`")
    # Warnings go to stderr and "rebuilt in" to stdout, read by two threads: the page itself says when it is there.
    seconds_until(lambda: "Fresh text." in server.page_or_none("sources/fresh-article.html"), CHANGE_TIMEOUT)
