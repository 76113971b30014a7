"""Live preview, end to end: `build.py serve` on a project copy, edited while a client polls the page."""

from __future__ import annotations

import html
import http.client
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

from conftest import REPO, TINY_SHEET, make_tiny_project
from test_cli import ASCII_LOCALE, add_source_named

START_TIMEOUT = 90  # the first build of the whole site, on a busy CI machine
CHANGE_TIMEOUT = 30  # how long to wait for an edit to show before calling it a hang (speed: tests/test_perf.py)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def as_from_a_terminal() -> None:
    """In the child, Ctrl+C as a terminal delivers it: a shell starts a background job (CI's, often) with
    SIGINT ignored, a child keeps that, and the tests' Ctrl+C would then never reach serve."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Server:
    """`build.py serve` in a child process, with its output lines collected as they come."""

    def __init__(self, root: Path, port: int, env: dict[str, str] | None = None):
        self.port = port
        self.url = f"http://127.0.0.1:{port}/"
        self.process = subprocess.Popen(
            [sys.executable, str(REPO / "build.py"), "serve", "--project", str(root), "--port", str(port)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
            preexec_fn=as_from_a_terminal,
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

    def request(self, path: str, host: str | None = None) -> tuple[int, bytes]:
        """Status and body of GET path sent as written, with this Host header (None: the URL's)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.putrequest("GET", path, skip_host=host is not None)
            if host is not None:
                connection.putheader("Host", host)
            connection.endheaders()
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)  # Ctrl+C, which serve handles by cleaning up
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def all_output(self) -> list[str]:
        """Every line serve printed, once it has stopped."""
        self.stop()
        for reader in self.readers:
            reader.join(timeout=10)
        while not self.lines.empty():
            self.seen.append(self.lines.get())
        return self.seen


@pytest.fixture
def server(project_copy: Path):
    running = Server(project_copy, free_port())
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def tiny_server(tmp_path_factory):
    """serve on a one-sheet project, answering once its first build is done; shared by the tests that only send requests."""
    running = Server(make_tiny_project(tmp_path_factory.mktemp("served") / "tiny"), free_port())
    try:
        running.wait_for_line("rebuilt in", START_TIMEOUT)
        seconds_until(running.is_up, CHANGE_TIMEOUT)
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
    assert "Putin presents Russia as China" in server.page("topics/energy.html")

    marker = "Edited-while-serving"
    edited = original.replace("Putin presents Russia as China", f"{marker}: Putin presents Russia as China", 1)
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
        preexec_fn=as_from_a_terminal,
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


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "LOCALHOST", "127.0.0.1:8000", "localhost:9"])
def test_requests_to_localhost_are_answered(tiny_server, host):
    status, body = tiny_server.request("/topics/energy.html", host)
    assert status == 200
    assert b"Alpha said the pipeline carries gas." in body


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "localhost.evil.example", "127.0.0.1.nip.io", "", "localhost:x"])
def test_requests_to_another_host_are_refused(tiny_server, host):
    # A page on evil.example whose name is made to resolve to 127.0.0.1 (DNS rebinding) sends its own name as Host.
    status, body = tiny_server.request("/topics/energy.html", host)
    assert status == 400
    assert body == b"serve answers only requests to localhost or 127.0.0.1\n"


def test_bad_paths_are_refused_without_a_traceback(tiny_server):
    assert tiny_server.request("/index.html%00.txt")[0] == 400  # open() refuses a NUL
    assert tiny_server.request("/a%0Ab.html")[0] == 400
    assert tiny_server.request("/livereload/" + "9" * 5000 + "/1")[0] == 400  # int() refuses 4,300 digits and more
    assert tiny_server.request("/%2e%2e/%2e%2e/etc/passwd")[0] == 404
    assert tiny_server.request("/topics/energy.html")[0] == 200  # still serving
    assert not [line for line in tiny_server.all_output() if "Traceback" in line or "Error" in line]


@pytest.mark.parametrize("port", ["0", "-1", "65536", "99999"])
def test_a_port_out_of_range_is_refused_before_building(tiny_project, port):
    # Port 0 would listen on a port chosen by the system while printing :0; the timeout fails the test instead of hanging.
    result = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "serve", "--project", str(tiny_project()), "--port", port],
        capture_output=True,
        text=True,
        timeout=CHANGE_TIMEOUT,
    )
    assert result.returncode == 2  # Click's exit code for a bad option, as for --paper
    assert result.stderr.splitlines()[-1] == f"Error: Invalid value for '--port': {port} is not in the range 1<=x<=65535."
    assert result.stdout == ""  # nothing was built


def start_serve(root: Path, tmp: Path, *python_options: str) -> subprocess.Popen:
    """build.py serve on root, with its temporary folder in tmp."""
    return subprocess.Popen(
        [sys.executable, *python_options, str(REPO / "build.py"), "serve", "--project", str(root), "--port", str(free_port())],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "TMPDIR": str(tmp)},
        preexec_fn=as_from_a_terminal,
    )


def stopped(process: subprocess.Popen, sig: int) -> tuple[str, str]:
    """What the process printed once stopped by sig (killed if it does not stop)."""
    process.send_signal(sig)
    try:
        return process.communicate(timeout=CHANGE_TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=10)


@pytest.mark.parametrize("when", ["during the first build", "while serving"])
def test_sigterm_stops_serve_and_removes_its_temporary_folder(project_copy, tmp_path, when):
    env_tmp = tmp_path / "tmp"
    env_tmp.mkdir()
    process = start_serve(project_copy, env_tmp)
    assert process.stdout.readline().startswith("serving http://")
    seconds_until(lambda: any(env_tmp.glob("brief-serve-*")), CHANGE_TIMEOUT)
    if when == "while serving":
        assert process.stdout.readline().startswith("rebuilt in")
    out, err = stopped(process, signal.SIGTERM)
    assert process.returncode == 0, err
    assert "Traceback" not in err
    assert list(env_tmp.glob("brief-serve-*")) == []


def test_ctrl_c_while_the_modules_load_prints_no_traceback(tiny_project, tmp_path):
    # -X importtime prints a line as each module is loaded: Ctrl+C after the first of ours lands while the rest load.
    process = start_serve(tiny_project(), tmp_path, "-X", "importtime")
    first = ""
    while " brief." not in first and process.poll() is None:
        first = process.stderr.readline()
    out, err = stopped(process, signal.SIGINT)
    assert "Traceback" not in err
    assert "KeyboardInterrupt" not in err
    assert list(tmp_path.glob("brief-serve-*")) == []



def test_a_disk_error_in_the_first_build_is_reported_on_its_path_not_as_a_busy_port(tiny_project):
    root = tiny_project()
    (root / "staging").write_text("a file where serve writes its pages\n", encoding="utf-8")
    running = Server(root, free_port())
    try:
        assert running.wait_for_line("staging", START_TIMEOUT).startswith("staging")
        running.wait_for_line("every page lists them until they are fixed", CHANGE_TIMEOUT)
        # The browser is told too, once the port opens (just after the first build is reported).
        seconds_until(lambda: "staging/docs: cannot be read or written" in running.page_or_none("index.html"), CHANGE_TIMEOUT)
    finally:
        output = running.all_output()
    assert not [line for line in output if "port" in line or "Traceback" in line]


def finish_after_problems(running: Server) -> None:
    """Wait for the count of problems and, when serve stops on them, for its end: Ctrl+C as it exits is another case."""
    if running.wait_for_line("problem(s) found", CHANGE_TIMEOUT).endswith("serve stopped"):
        running.process.wait(timeout=CHANGE_TIMEOUT)


def test_a_file_name_not_in_the_locales_encoding_is_reported_without_a_traceback(tiny_project):
    root = tiny_project()
    add_source_named(root, "réuters.md".encode())
    running = Server(root, free_port(), env=ASCII_LOCALE)
    error = running.wait_for_line("uters.md: ", START_TIMEOUT)
    assert error.startswith("sources/r")
    finish_after_problems(running)
    assert not [line for line in running.all_output() if "Traceback" in line]


def test_a_rebuild_while_a_build_holds_the_lock_keeps_the_served_site_and_says_why(tiny_project, tmp_path):
    from brief.pipeline import Project
    from brief.serve import rebuild_site
    from brief.site import building

    project = Project(tiny_project())
    served = tmp_path / "served"
    served.mkdir()
    (served / "index.html").write_text("the last good site", encoding="utf-8")
    with building(project.site):
        rebuild = rebuild_site(project, served)
    assert [str(error) for error in rebuild.errors] == [
        "site/: another build or pdf of this project is running: wait for it to finish, then run this again"
    ]
    assert (served / "index.html").read_text(encoding="utf-8") == "the last good site"
    assert not rebuild_site(project, served).errors  # once the build is done, the next save rebuilds


# Problems in the browser: every HTML page served carries them while they last (see brief/serve_errors.py).

BROKEN = TINY_SHEET.replace("status: stated", "status: <script>window.injected = 1</script>")
BROKEN_LINE = "briefings/energy.yaml:9:13: '<script>window.injected = 1</script>' is not a status"


def test_a_broken_save_shows_its_problems_over_every_page_served_and_nowhere_else(tiny_project):
    root = tiny_project()
    running = Server(root, free_port())
    try:
        running.wait_for_line("rebuilt in", START_TIMEOUT)
        seconds_until(running.is_up, CHANGE_TIMEOUT)
        style = running.page("assets/brief.css")
        (root / "briefings" / "energy.yaml").write_text(BROKEN, encoding="utf-8")
        running.wait_for_line("under a banner of them", CHANGE_TIMEOUT)
        for path in ("topics/energy.html", "index.html"):
            page = running.page(path)
            assert html.escape(BROKEN_LINE) in page  # as text: a message quotes what the editor wrote
            assert "<script>window.injected" not in page
            assert page.index('role="alert"') < page.index("Alpha says the pipeline carries gas")  # the last good page, under it
        assert running.page("assets/brief.css") == style
        assert not [path for path in root.rglob("*") if path.is_file() and b"brief-problems" in path.read_bytes()]

        (root / "briefings" / "energy.yaml").write_text(TINY_SHEET, encoding="utf-8")
        running.wait_for_line("rebuilt in", CHANGE_TIMEOUT)
        assert 'role="alert"' not in running.page("topics/energy.html")
    finally:
        running.stop()


def test_started_on_broken_content_every_address_lists_the_problems_until_they_are_fixed(tiny_project):
    root = tiny_project({"energy": BROKEN})
    running = Server(root, free_port())
    try:
        running.wait_for_line("every page lists them until they are fixed", START_TIMEOUT)
        seconds_until(running.is_up, CHANGE_TIMEOUT)
        for path in ("", "energy/", "topics/energy.html", "assets/brief.css"):
            assert html.escape(BROKEN_LINE) in running.page(path)  # not a 404
        assert running.page(".brief/rebuild") == "1"

        (root / "briefings" / "energy.yaml").write_text(TINY_SHEET, encoding="utf-8")
        running.wait_for_line("rebuilt in", CHANGE_TIMEOUT)
        assert running.page(".brief/rebuild") == "2"  # the problems page reloads on the change
        page = running.page("topics/energy.html")
        assert "Alpha said the pipeline carries gas." in page
        assert 'role="alert"' not in page
    finally:
        running.stop()


def test_the_banner_shows_the_first_problems_and_counts_the_rest():
    from brief.errors import ContentError
    from brief.serve_errors import SHOWN_AT_MOST, with_banner

    errors = [ContentError("briefings/energy.yaml", line, 1, f"problem {line}") for line in range(1, SHOWN_AT_MOST + 4)]
    page = with_banner(b'<html><body class="x"><p>the page</p></body></html>', errors).decode()
    assert page.startswith('<html><body class="x"><style>')
    assert page.endswith("<p>the page</p></body></html>")
    assert f"briefings/energy.yaml:{SHOWN_AT_MOST}:1: problem {SHOWN_AT_MOST}" in page
    assert f"briefings/energy.yaml:{SHOWN_AT_MOST + 1}:1:" not in page
    assert "and 3 more, printed in the terminal" in page
