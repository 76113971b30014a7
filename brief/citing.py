"""Cite this page: a page of the briefing as a formatted reference, BibTeX and CSL-JSON, for readers to copy.

The author is the briefing itself (its subject, as every page's kicker names it), the date its
edition (the as-of date), the address the page's under mkdocs.yml's site_url; without site_url
no address is given, since none is known.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

import jinja2

from .models import long_date

KEY_TITLE_WORDS = 5  # a key is typed and read: the first words of a long title name it well enough
# BibTeX reads these in a field's text; a backslash first, so that the escapes it starts are not escaped again.
_BIBTEX_SPECIAL = re.compile(r"[\\{}%&$#_~^]")
_BIBTEX_ESCAPES = {"\\": r"\textbackslash{}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def bibtex_escaped(text: str) -> str:
    """text as BibTeX prints it: its special characters escaped, so that braces always balance."""
    return _BIBTEX_SPECIAL.sub(lambda match: _BIBTEX_ESCAPES.get(match.group(0), "\\" + match.group(0)), " ".join(text.split()))


def bibtex_url(address: str) -> str:
    """An address as BibTeX's url field and \\url read it, verbatim: only what no address may hold (braces, a backslash, spaces) is percent-encoded."""
    return quote(address, safe=":/?#[]@!$&'()*+,;=%-._~")


def page_file(page_path: str) -> str:
    """The built page of a page in the docs folder: topics/energy.md is topics/energy.html."""
    return page_path.removesuffix(".md") + ".html"


@dataclass(frozen=True)
class PageCitation:
    """How to cite one page: the reference as read, and as BibTeX and CSL-JSON to copy."""

    reference: str
    bibtex: str
    csl_json: str
    address: str | None


@jinja2.pass_context
def cite_this(context: jinja2.runtime.Context, title: str) -> PageCitation:
    """The citation of the page being rendered, titled title: a template global (render.template_env)."""
    return page_citation(context["subject"], title, context["as_of"], context["page_path"], context["site_url"])


def page_citation(subject: str, title: str, edition: date, page_path: str, site_url: str | None) -> PageCitation:
    """The citation of the page at page_path, titled title, in the edition of the given date; its address only with site_url."""
    address = site_url + page_file(page_path) if site_url else None
    title = " ".join(title.split())
    return PageCitation(reference(subject, title, edition, address), bibtex(subject, title, edition, address), csl_json(subject, title, edition, address), address)


def reference(subject: str, title: str, edition: date, address: str | None) -> str:
    """The reference as a reader copies it into a text: Subject. “Title”. Edition of 21 January 2025. Address."""
    named = f"{subject}. " if title == subject else f"{subject}. “{title}”. "
    return named + f"Edition of {long_date(edition)}." + (f" {address}" if address else "")


def citation_key(subject: str, title: str, edition: date) -> str:
    """An ASCII key of the briefing, the page's first title words and the edition's year: russia-china-relations-energy-2026.

    Made from what the page shows, never from its file name: readers see no internal names.
    """
    named = subject if title == subject else f"{subject} {' '.join(title.split()[:KEY_TITLE_WORDS])}"
    # Accents go (é is e and a combining mark); any other letter or sign outside ASCII parts words, as a dash does.
    spelled = unicodedata.normalize("NFKD", named)
    words = "".join(char if char.isascii() else "" if unicodedata.combining(char) else " " for char in spelled).lower()
    return "-".join([*re.findall(r"[a-z0-9]+", words), str(edition.year)])


def bibtex(subject: str, title: str, edition: date, address: str | None) -> str:
    """A BibTeX @misc entry; the author in double braces, as an organisation is written, so it is not read as a person's names."""
    fields = [
        ("author", "{" + bibtex_escaped(subject) + "}"),
        ("title", bibtex_escaped(title)),
        ("year", str(edition.year)),
        ("date", edition.isoformat()),
        ("note", f"Edition of {long_date(edition)}"),
    ]
    if address:
        fields.insert(2, ("howpublished", r"\url{" + bibtex_url(address) + "}"))
        fields.append(("url", bibtex_url(address)))
    lines = [f"  {name} = {{{value}}}," for name, value in fields]
    return "@misc{" + citation_key(subject, title, edition) + ",\n" + "\n".join(lines) + "\n}"


def csl_json(subject: str, title: str, edition: date, address: str | None) -> str:
    """A CSL-JSON item (the format Zotero and citation processors read), in a list of one, a field a line."""
    item: dict[str, object] = {
        "id": citation_key(subject, title, edition),
        "type": "webpage",
        "title": title,
        "container-title": subject,
        "author": [{"literal": subject}],
        "issued": {"date-parts": [[edition.year, edition.month, edition.day]]},
        "note": f"Edition of {long_date(edition)}",
    }
    if address:
        item["URL"] = address
    fields = ",\n".join(f"  {json.dumps(name)}: {json.dumps(value, ensure_ascii=False)}" for name, value in item.items())
    return "[{\n" + fields + "\n}]"
