"""add-source (brief/archive.py): a saved page or text file becomes a source that passes check, with nothing guessed."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO

from brief.archive import Article, propose_id, read_article
from brief.article_page import stated_date
from brief.cli import main
from brief.load import SOURCES_DIR, parse, read_file
from brief.models import SourceMeta

PARAGRAPHS = [
    "Russian President Vladimir Putin and Chinese leader Xi Jinping held a video call on Wednesday, "
    "discussing energy cooperation and the expiry of the New START treaty.",
    "Putin said the two countries' strategic energy partnership, including cooperation on peaceful "
    "nuclear energy, continued to grow despite Western sanctions imposed since 2022.",
    "Xi told Putin that China was ready to work with Russia to deepen coordination on international "
    "affairs, according to a readout published by Chinese state media after the call.",
]

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Putin and Xi hold video call on energy ties | Test Wire</title>
<meta property="og:site_name" content="Test Wire">
<meta name="author" content="Jane Reporter">
<meta property="article:published_time" content="2026-02-04T10:30:00+00:00">
<link rel="canonical" href="https://testwire.example/world/putin-xi-call">
</head>
<body>
<header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/newsletters">Newsletters</a> Subscribe now</nav></header>
<main><article>
<h1>Putin and Xi hold video call on energy ties</h1>
{paragraphs}
</article></main>
<footer><p>© 2025 Test Wire. All rights reserved. Privacy policy · Terms of use · Contact us</p></footer>
</body>
</html>
""".replace("{paragraphs}", "\n".join(f"<p>{p}</p>" for p in PARAGRAPHS))

BARE_PAGE = (
    PAGE.replace('<meta property="og:site_name" content="Test Wire">\n', "")
    .replace('<meta name="author" content="Jane Reporter">\n', "")
    .replace('<meta property="article:published_time" content="2026-02-04T10:30:00+00:00">\n', "")
    .replace('<link rel="canonical" href="https://testwire.example/world/putin-xi-call">\n', "")
    .replace(" | Test Wire", "")
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "project" / "sources").mkdir(parents=True)
    return tmp_path / "project"


def saved(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def add(project: Path, file: Path, *options: str):
    return CliRunner().invoke(main, ["add-source", "--project", str(project), str(file), "--archived", "2026-11-23", *options])


def front_and_body(path: Path, root: Path):
    source, errors = parse(read_file(SOURCES_DIR, path, root))
    assert errors == []
    return SourceMeta.model_validate(source.front.data), source.body


def test_html_page_becomes_a_source_with_its_stated_metadata(tmp_path, project):
    result = add(project, saved(tmp_path, "page.html", PAGE))
    assert result.exit_code == 0, result.output
    path = project / "sources" / "testwire-2026-02-04-putin-xi-hold-video-call-energy-ties.md"
    assert result.output.splitlines()[0] == f"wrote sources/{path.name}"
    meta, body = front_and_body(path, project)
    assert (meta.title, meta.publisher, meta.author) == ("Putin and Xi hold video call on energy ties", "Test Wire", "Jane Reporter")
    assert str(meta.published) == "2026-02-04"
    assert meta.url == "https://testwire.example/world/putin-xi-call"
    assert str(meta.archived) == "2026-11-23"
    assert meta.date_basis is None
    assert body == "\n\n".join(PARAGRAPHS) + "\n"


def test_a_new_source_awaits_review_with_the_instructions_in_a_comment_never_in_the_note(tmp_path, project):
    result = add(project, saved(tmp_path, "page.html", PAGE), "--id", "call")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == (
        "awaiting review: read sources/call.md against the original and follow the comment in its front matter; "
        "build and pdf refuse to publish until then"
    )
    path = project / "sources" / "call.md"
    meta, _ = front_and_body(path, project)
    assert (meta.note, meta.awaiting_review) == (None, True)
    front = path.read_text(encoding="utf-8").split("---")[1]
    assert front.endswith(
        'archived: 2026-11-23\nnote: null\n'
        "# Imported from `page.html` by `build.py add-source`. To review: compare the text with the original, "
        "remove any page furniture left, record removals and contradictions in note, fill in a null field only from "
        "what the article itself states, then delete this comment and the line below.\n"
        "awaiting_review: true\n"
    )


def test_a_line_break_in_the_file_name_stays_inside_the_comment(tmp_path, project):
    result = add(project, saved(tmp_path, "odd\nname: x\u2028.txt", "Some text.\n"), "--id", "odd")
    assert result.exit_code == 0, result.output
    meta, _ = front_and_body(project / "sources" / "odd.md", project)
    assert meta.awaiting_review is True
    assert "# Imported from `odd\\nname: x\\u2028.txt`" in (project / "sources" / "odd.md").read_text(encoding="utf-8")


def test_awaiting_review_must_be_true_or_false():
    base = {"title": None, "publisher": None, "author": None, "published": None, "url": None, "archived": "2026-11-23"}
    assert SourceMeta.model_validate(base).awaiting_review is False
    with pytest.raises(ValueError):
        SourceMeta.model_validate({**base, "awaiting_review": "yes"})


def test_page_furniture_and_the_repeated_headline_are_dropped(tmp_path, project):
    add(project, saved(tmp_path, "page.html", PAGE))
    [path] = (project / "sources").iterdir()
    _, body = front_and_body(path, project)
    for furniture in ("Home", "Newsletters", "Subscribe", "All rights reserved", "Privacy policy", "hold video call"):
        assert furniture not in body


def test_what_the_page_does_not_state_is_null_not_guessed(tmp_path, project):
    # The footer's copyright year and the article's "since 2022" must not become a date,
    # nor the page's domain a publisher.
    page = BARE_PAGE.replace("<head>", '<head>\n<meta property="og:url" content="https://testwire.example/2026/02/04/call">')
    result = add(project, saved(tmp_path, "page.html", page))
    assert result.exit_code == 0, result.output
    assert "not stated in the article, left null: publisher, author, published" in result.output
    [path] = (project / "sources").iterdir()
    assert path.name == "unknown-undated-putin-xi-hold-video-call-energy-ties.md"
    meta, _ = front_and_body(path, project)
    assert (meta.publisher, meta.author, meta.published) == (None, None, None)
    front = path.read_text(encoding="utf-8").split("---")[1]
    assert "publisher: null\nauthor: null\npublished: null\n" in front


def test_text_file_is_kept_as_is_with_everything_unknown(tmp_path, project):
    text = "First paragraph of the article.\n\nSecond paragraph, with 'quotes' and: a colon.\n"
    result = add(project, saved(tmp_path, "note.txt", text), "--id", "pasted-article")
    assert result.exit_code == 0, result.output
    assert "left null: title, publisher, author, published, url" in result.output
    meta, body = front_and_body(project / "sources" / "pasted-article.md", project)
    assert body == text
    assert (meta.title, meta.publisher, meta.author, meta.published, meta.url) == (None,) * 5


def test_an_existing_source_is_never_overwritten(tmp_path, project):
    existing = project / "sources" / "pasted-article.md"
    existing.write_text("keep me", encoding="utf-8")
    result = add(project, saved(tmp_path, "note.txt", "Some text.\n"), "--id", "pasted-article")
    assert result.exit_code == 1
    assert "sources/pasted-article.md already exists: nothing was written" in result.output
    assert existing.read_text(encoding="utf-8") == "keep me"


def test_an_invalid_id_is_refused(tmp_path, project):
    result = add(project, saved(tmp_path, "note.txt", "Some text.\n"), "--id", "Not A Slug")
    assert result.exit_code == 1
    assert "'Not A Slug' is not a valid source id" in result.output
    assert list((project / "sources").iterdir()) == []


def test_a_page_with_no_article_text_is_refused(tmp_path, project):
    result = add(project, saved(tmp_path, "empty.html", "<html><head><title>x</title></head><body></body></html>"))
    assert result.exit_code == 1
    assert "no article text found" in result.output


def test_a_page_of_links_with_no_article_is_refused_not_archived_as_its_menu(tmp_path, project):
    links = "".join(f'<li><a href="/{n}">{label}</a></li>' for n, label in enumerate(["Putin and Xi hold call", "Markets today", "Opinion", "Energy"]))
    page = PAGE.replace(PAGE[PAGE.index("<main>") : PAGE.index("</main>")], f"<main><ul>{links}</ul>")
    result = add(project, saved(tmp_path, "index.html", page))
    assert result.exit_code == 1
    assert "no article text found in the page, only short lines such as a menu's" in result.output
    assert list((project / "sources").iterdir()) == []


def test_an_article_in_a_script_written_without_spaces_is_kept(tmp_path, project):
    paragraph = "俄罗斯总统普京与中国国家主席习近平举行视频通话，双方讨论了能源合作以及新削减战略武器条约到期的问题。"
    page = PAGE.replace("\n".join(f"<p>{p}</p>" for p in PARAGRAPHS), "\n".join(f"<p>{paragraph}</p>" for _ in PARAGRAPHS))
    assert PARAGRAPHS[0] not in page
    result = add(project, saved(tmp_path, "zh.html", page))
    assert result.exit_code == 0, result.output
    (written,) = (project / "sources").iterdir()
    assert paragraph in written.read_text(encoding="utf-8")


def test_other_file_types_are_refused(tmp_path, project):
    result = add(project, saved(tmp_path, "article.pdf", "%PDF-1.7"))
    assert result.exit_code == 1
    assert "reads a saved web page (.html) or a text file (.txt)" in result.output


def test_awkward_metadata_is_quoted_safely(tmp_path, project):
    page = PAGE.replace("Putin and Xi hold video call on energy ties", 'Putin: "No limits" — #1 #partner')
    result = add(project, saved(tmp_path, "page.html", page), "--id", "awkward")
    assert result.exit_code == 0, result.output
    meta, _ = front_and_body(project / "sources" / "awkward.md", project)
    assert meta.title == 'Putin: "No limits" — #1 #partner'


def test_stated_date_reads_json_ld_and_time_elements():
    import lxml.html

    json_ld = '<html><head><script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2025-01-21T13:32:00Z"}</script></head><body><p>x</p></body></html>'
    assert stated_date(lxml.html.fromstring(json_ld)) == "2025-01-21"
    time = '<html><body><time itemprop="datePublished" datetime="2024-05-16">16 May</time></body></html>'
    assert stated_date(lxml.html.fromstring(time)) == "2024-05-16"
    modified_only = '<html><head><meta property="article:modified_time" content="2024-05-17"></head><body><p>x</p></body></html>'
    assert stated_date(lxml.html.fromstring(modified_only)) is None


def test_proposed_id_is_a_short_ascii_slug():
    article = Article(
        text="x",
        title="Xi déclare: China–Russia ties reach a 'new height' in the call with Putin, the longest call this year",
        publisher="The Kyiv Independent",
        published="2025-01-21",
    )
    proposed = propose_id(article)
    # Cut before the word that would pass 60 characters.
    assert proposed == "kyivindependent-2025-01-21-xi-declare-china-russia-ties"


def test_read_article_keeps_text_files_verbatim(tmp_path):
    path = saved(tmp_path, "a.txt", "\ufeffLine one.\r\n\r\nLine two.\r\n")
    assert read_article(path, tmp_path) == Article(text="Line one.\n\nLine two.\n")


# --- hostile input: refused with a message naming the file, never a traceback ------------------------


@pytest.mark.parametrize("name", ["page.html", "note.txt"])
def test_a_file_over_the_size_limit_is_refused_before_it_is_parsed(tmp_path, project, name):
    big = tmp_path / name
    with big.open("wb") as file:
        file.truncate(5_000_001)  # just over the 5 MB documented; sparse, so nothing is written to the disk
    result = add(project, big)
    assert result.exit_code == 1
    assert f"{big} is 5.0 MB, more than the 5 MB add-source reads: save the page as HTML only" in result.output
    assert list((project / "sources").iterdir()) == []


def link_out_of_the_project(tmp_path: Path, project: Path) -> Path:
    """A .txt link in a folder outside the project, to a private file elsewhere (as /etc/passwd was)."""
    (tmp_path / "private").mkdir()
    secret = saved(tmp_path / "private", "secrets", "root:x:0:0:root:/root:/bin/bash\n")
    (tmp_path / "downloads").mkdir()
    (tmp_path / "downloads" / "article.txt").symlink_to(secret)
    return tmp_path / "downloads" / "article.txt"


def link_in_the_project(tmp_path: Path, project: Path) -> Path:
    (tmp_path / "private").mkdir()
    secret = saved(tmp_path / "private", "secrets.txt", "root:x:0:0:root:/root:/bin/bash\n")
    (project / "article.txt").symlink_to(secret)
    return project / "article.txt"


def folder_link_in_the_project(tmp_path: Path, project: Path) -> Path:
    (tmp_path / "private").mkdir()
    saved(tmp_path / "private", "secrets.txt", "root:x:0:0:root:/root:/bin/bash\n")
    (project / "saved").symlink_to(tmp_path / "private", target_is_directory=True)
    return project / "saved" / "secrets.txt"


@pytest.mark.parametrize("make_link", [link_out_of_the_project, link_in_the_project, folder_link_in_the_project])
def test_a_link_to_a_file_outside_the_project_is_refused(tmp_path, project, make_link):
    link = make_link(tmp_path, project)
    result = add(project, link)
    assert result.exit_code == 1
    assert f"{link} is a link to a file outside the project, which add-source does not follow: name the saved file itself" in result.output
    assert list((project / "sources").iterdir()) == []


def test_a_link_within_the_project_is_followed(tmp_path, project):
    # Guard: refusing links out of the project must not refuse a link that stays inside it.
    (project / "drafts").mkdir()
    saved(project / "drafts", "real.txt", "Some text.\n")
    (project / "article.txt").symlink_to(project / "drafts" / "real.txt")
    result = add(project, project / "article.txt", "--id", "linked")
    assert result.exit_code == 0, result.output
    assert front_and_body(project / "sources" / "linked.md", project)[1] == "Some text.\n"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_is_refused_without_being_opened(tmp_path, project):
    pipe = tmp_path / "article.txt"
    os.mkfifo(pipe)

    def write_an_article():  # completes only if someone opens the pipe to read
        with pipe.open("w", encoding="utf-8") as writer:
            writer.write("An article that arrives through a pipe.\n")

    writer = threading.Thread(target=write_an_article, daemon=True)
    writer.start()
    try:
        result = add(project, pipe, "--id", "piped")
    finally:
        reader = os.open(pipe, os.O_RDONLY | os.O_NONBLOCK)  # lets the writer finish, whatever happened
        writer.join()
        os.close(reader)
    assert result.exit_code == 1
    assert f"{pipe} is not a regular file (a named pipe, device or socket)" in result.output
    assert list((project / "sources").iterdir()) == []


TITLE = "Zürich café owners meet Xi’s envoy"
ACCENTED_PAGE = PAGE.replace("Putin and Xi hold video call on energy ties", TITLE).replace("Vladimir", "Vladímir")


@pytest.mark.parametrize(
    "page",
    [
        ACCENTED_PAGE.replace('charset="utf-8"', 'charset="windows-1252"').encode("utf-8"),
        ACCENTED_PAGE.encode("cp1252"),  # says utf-8
    ],
    ids=["utf-8 saying windows-1252", "windows-1252 saying utf-8"],
)
def test_title_and_body_are_decoded_alike_when_the_stated_charset_is_wrong(tmp_path, project, page):
    path = tmp_path / "page.html"
    path.write_bytes(page)
    result = add(project, path, "--id", "accented")
    assert result.exit_code == 0, result.output
    meta, body = front_and_body(project / "sources" / "accented.md", project)
    assert meta.title == TITLE
    assert body.startswith("Russian President Vladímir Putin")  # the headline, matching the title, is dropped


def test_a_text_file_not_in_utf8_is_refused_with_what_to_do(tmp_path, project):
    path = tmp_path / "note.txt"
    path.write_bytes("\ufeffThe Kremlin said:\n\n".encode("utf-8") + "Déclaration du Kremlin.\n".encode("latin-1"))
    result = add(project, path)
    assert result.exit_code == 1
    assert f"{path}: not UTF-8 text (line 3 is not): save the file again as UTF-8" in result.output


def test_a_non_ascii_file_name_under_an_ascii_locale_is_recorded_and_reported_without_a_traceback(tmp_path, project):
    good = saved(tmp_path, "café.txt", "Some text.\n")
    bad = tmp_path / "été.txt"
    bad.write_bytes("Déclaration du Kremlin.\n".encode("latin-1"))
    env = {name: value for name, value in os.environ.items() if name != "PYTHONIOENCODING"}
    env |= {"LC_ALL": "POSIX", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}

    def run(file: Path, source_id: str) -> subprocess.CompletedProcess:
        command = [sys.executable, str(REPO / "build.py"), "add-source", "--project", str(project), str(file), "--id", source_id]
        return subprocess.run(command, env=env, capture_output=True, cwd=REPO)

    written = run(good, "cafe")
    assert written.returncode == 0, written.stderr
    assert "# Imported from `café.txt`" in (project / "sources" / "cafe.md").read_text(encoding="utf-8")
    refused = run(bad, "ete")
    assert refused.returncode == 1
    assert b"Traceback" not in refused.stderr
    assert b".txt: not UTF-8 text (line 1 is not): save the file again as UTF-8" in refused.stderr


def test_invisible_direction_marks_of_a_page_are_dropped_so_the_new_source_passes_check(tmp_path, project):
    marked = "Putin said\u200f the pipeline is \u202eready\u202c for\u200e export to China this year.\n"
    result = add(project, saved(tmp_path, "marks.txt", marked), "--id", "marks")
    assert result.exit_code == 0, result.output
    _, body = front_and_body(project / "sources" / "marks.md", project)
    assert body == "Putin said the pipeline is ready for export to China this year.\n"
