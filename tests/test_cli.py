"""The command line, through Click's runner: exit codes and what the editor sees."""

from click.testing import CliRunner

from brief.cli import main
from conftest import TINY_SHEET


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
