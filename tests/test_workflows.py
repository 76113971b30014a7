"""The GitHub workflows and the pre-commit hook say what the review process promises."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from brief.document import parse_yaml
from conftest import REPO

WORKFLOWS = REPO / ".github" / "workflows"


def read(path: Path) -> dict:
    # Our YAML 1.2 loader: PyYAML's 1.1 rules would read the key `on:` as the boolean true.
    doc, errors = parse_yaml(path.read_text(encoding="utf-8"), path.name, path)
    assert errors == []
    return doc.data


def steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def step_using(workflow: dict, action: str) -> dict:
    [step] = [step for step in steps(workflow) if step.get("uses", "").startswith(action + "@")]
    return step


def runs(workflow: dict) -> str:
    return "\n".join(step.get("run", "") for step in steps(workflow))


@pytest.fixture(scope="module")
def pull_request() -> dict:
    return read(WORKFLOWS / "pull-request.yml")


@pytest.fixture(scope="module")
def publish() -> dict:
    return read(WORKFLOWS / "publish.yml")


def test_pull_requests_are_checked_with_a_read_only_token(pull_request):
    assert list(pull_request["on"]) == ["pull_request"]
    assert pull_request["permissions"] == {"contents": "read"}
    assert all("permissions" not in job for job in pull_request["jobs"].values())


def test_pull_requests_get_annotations_a_diff_summary_a_build_and_a_preview(pull_request):
    assert step_using(pull_request, "actions/checkout")["with"]["fetch-depth"] == 0
    assert step_using(pull_request, "actions/setup-python")["with"]["python-version"] == "3.11"
    commands = runs(pull_request)
    assert ".venv/bin/python build.py check" in commands
    assert 'build.py diff "origin/$BASE_REF" >> "$GITHUB_STEP_SUMMARY"' in commands
    [summary] = [step for step in steps(pull_request) if "GITHUB_STEP_SUMMARY" in step.get("run", "")]
    assert summary["env"] == {"BASE_REF": "${{ github.base_ref }}"}  # never spliced into the script itself
    assert "make build" in commands and "make test" in commands
    assert "chromium" in commands and "poppler-utils" in commands
    assert step_using(pull_request, "actions/upload-artifact")["with"]["path"] == "site/"


def test_main_is_built_and_deployed_to_pages(publish):
    assert publish["on"]["push"]["branches"] == ["main"]
    assert publish["permissions"] == {"contents": "read"}
    assert "make build" in runs(publish)
    assert step_using(publish, "actions/checkout")["with"]["fetch-depth"] == 0  # the edition tags, for What changed
    assert step_using(publish, "actions/upload-pages-artifact")["with"]["path"] == "site/"
    deploy = publish["jobs"]["deploy"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["steps"][0]["uses"].startswith("actions/deploy-pages@")


def test_the_make_targets_the_workflows_call_exist():
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^STAMP\s*:=\s*\$\(VENV\)/\.installed$", makefile, re.MULTILINE)
    for target in ("build", "test", "check"):
        assert re.search(rf"^{target}:", makefile, re.MULTILINE)


def test_pre_commit_runs_check_when_content_is_staged():
    [repo] = read(REPO / ".pre-commit-config.yaml")["repos"]
    [hook] = repo["hooks"]
    assert repo["repo"] == "local"
    assert (hook["language"], hook["pass_filenames"]) == ("system", False)
    assert hook["entry"].endswith("check")
    content = re.compile(hook["files"])
    for path in ("briefings/energy.yaml", "sources/some-article.md", "glossary.yaml"):
        assert content.search(path), path
    for path in ("brief/cli.py", "templates/topic.md.j2", "README.md"):
        assert not content.search(path), path


def test_every_action_is_pinned_to_a_commit(publish, pull_request):
    # A tag can be moved to other code; a commit cannot (zizmor's unpinned-uses).
    used = [step["uses"] for workflow in (publish, pull_request) for step in steps(workflow) if "uses" in step]
    used += [job["uses"] for workflow in (publish, pull_request) for job in workflow["jobs"].values() if "uses" in job]
    assert used and all(re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", uses) for uses in used), used


def test_every_dependency_is_pinned_in_the_lock_file():
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    names = {re.split(r"[<>=!~\[;\s]", requirement, maxsplit=1)[0].lower().replace("_", "-") for requirement in wanted}
    lines = (REPO / "requirements.lock").read_text(encoding="utf-8").splitlines()
    pinned = dict(line.lower().replace("_", "-").split("==") for line in lines if line and not line.startswith("#"))
    assert names <= pinned.keys(), names - pinned.keys()
    assert pinned["typst"] == "0.15.0"  # pinned exactly in pyproject.toml too
    assert "make lock" in (REPO / "README.md").read_text(encoding="utf-8")
