"""Edit links lead to the file an editor changes (the fact sheet, the source), configured in mkdocs.yml."""

from __future__ import annotations

from pathlib import Path

import pytest

from brief.errors import ContentErrors
from brief.pipeline import Project, build, generate
from brief.site import edit_base_url, read_site_config

REPO_URL = "https://github.com/example-org/russia-china-briefing"


def configure(root: Path, settings: str) -> None:
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "\n" + settings + "\n", encoding="utf-8")


def edit_links(html: str) -> list[str]:
    return [part.split('"', 1)[0] for part in html.split('<a href="')[1:] if '" rel="edit"' in part.split(">", 1)[0]]


def test_built_topic_and_source_pages_link_to_their_content_files(tiny_project):
    root = tiny_project()
    configure(root, f"repo_url: {REPO_URL}")
    build(Project(root))
    site = root / "site"
    assert edit_links((site / "topics" / "energy.html").read_text(encoding="utf-8")) == [f"{REPO_URL}/edit/main/briefings/energy.yaml"]
    assert edit_links((site / "sources" / "test-article.html").read_text(encoding="utf-8")) == [f"{REPO_URL}/edit/main/sources/test-article.md"]
    assert edit_links((site / "index.html").read_text(encoding="utf-8")) == [f"{REPO_URL}/edit/main/templates/overview.md.j2"]
    # MkDocs' own edit button would lead into staging/docs, where nothing is edited.
    assert "/edit/main/topics/" not in (site / "topics" / "energy.html").read_text(encoding="utf-8")


def test_without_a_repository_there_are_no_edit_links(tiny_project):
    root = tiny_project()
    generate(Project(root))
    for page in (root / "staging" / "docs").rglob("*.md"):
        assert 'rel="edit"' not in page.read_text(encoding="utf-8"), page


def test_a_whole_edit_uri_needs_no_repo_url_and_another_branch_is_honoured(tiny_project):
    root = tiny_project()
    configure(root, f"edit_uri: {REPO_URL}/edit/trunk/")
    generate(Project(root))
    topic = (root / "staging" / "docs" / "topics" / "energy.md").read_text(encoding="utf-8")
    assert edit_links(topic) == [f"{REPO_URL}/edit/trunk/briefings/energy.yaml"]


@pytest.mark.parametrize(
    ("settings", "base"),
    [
        ("", None),
        (f"repo_url: {REPO_URL}", f"{REPO_URL}/edit/main/"),
        (f"repo_url: {REPO_URL}/\nedit_uri: edit/trunk", f"{REPO_URL}/edit/trunk/"),
        (f"repo_url: {REPO_URL}\nedit_uri: ''", None),
    ],
)
def test_edit_base_url(tmp_path, settings, base):
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: test\n" + settings + "\n", encoding="utf-8")
    assert edit_base_url(read_site_config(config)) == base


def test_a_repository_that_is_not_a_web_address_is_an_error(tmp_path):
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: test\nrepo_url: javascript:alert(1)\n", encoding="utf-8")
    with pytest.raises(ContentErrors) as caught:
        edit_base_url(read_site_config(config))
    assert "is not a web address" in caught.value.errors[0].message
