"""One PDF written from documents WeasyPrint generated apart, each set down as soon as it comes.

WeasyPrint holds every laid-out page of a document until it is written (about 2 MiB a
page of the briefing), so a long document is printed in parts. Each part is generated
by WeasyPrint into a `pydyf.PDF` and handed to `JoinedPdf.add`, which renumbers its
objects into the joined file and serialises them at once: what stays is the output's
bytes, the pages' small dictionaries and what the end needs (the structure tree's
top elements, the parent tree, the named destinations).

What WeasyPrint makes once per document is made once here, over all parts: the page
tree, the structure tree root with its Document element and parent tree (WeasyPrint
tags page by page, so a part's top elements follow the previous part's), the named
destinations and the outline. Page footers that need the total number of pages are
stamped afterwards (`stamp`), from a document of footers alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pydyf
from weasyprint.pdf.anchors import add_outlines

REFERENCE = re.compile(rb"(\d+) 0 R")
# Around each page's own drawing, so the footer is drawn from the page's first
# coordinates; the footer is an artifact, not content, for screen readers.
BEFORE_PAGE = b"q"
AFTER_PAGE = b"Q\n/Artifact BMC\n/Footer Do\nEMC"


class Serialised(pydyf.Object):
    """An object already written out as bytes, its references renumbered for the joined file."""

    def __init__(self, data: bytes, compressible: bool):
        super().__init__()
        self._data = data
        self._compressible = compressible

    @property
    def data(self) -> bytes:
        return self._data

    @property
    def compressible(self) -> bool:
        return self._compressible


@dataclass
class JoinedPart:
    """A part added: its pages (dictionaries kept until the end) and its structure tree's top elements."""

    pages: list[pydyf.Dictionary]
    elements: list[bytes]
    catalog: pydyf.Dictionary
    info: pydyf.Dictionary


class JoinedPdf:
    """The joined file being set down: parts added in any order, footers stamped, then written."""

    def __init__(self):
        self.pdf = pydyf.PDF()
        self.dests: dict[str, pydyf.Array] = {}
        self.parent_tree: list[tuple[int, Any]] = []  # (key, what it maps to), keys unique over all parts
        # A page's resources are its part's; kept until footers are stamped, which extends them page by page.
        self.resources: dict[int, pydyf.Dictionary] = {}
        self.structure_root = pydyf.Dictionary({"Type": "/StructTreeRoot"})
        self.parent_tree_object = pydyf.Dictionary({})
        self.document_element = pydyf.Dictionary({"Type": "/StructElem", "S": "/Document"})
        for item in (self.structure_root, self.parent_tree_object, self.document_element):
            self.pdf.add_object(item)
        self.structure_root["ParentTree"] = self.parent_tree_object.reference
        self.structure_root["K"] = pydyf.Array([self.document_element.reference])
        self.document_element["P"] = self.structure_root.reference
        self.before_page = self._stream(BEFORE_PAGE)
        self.after_page = self._stream(AFTER_PAGE)

    def _stream(self, content: bytes) -> pydyf.Stream:
        stream = pydyf.Stream([content])
        self.pdf.add_object(stream)
        return stream

    def add(self, part: pydyf.PDF, anchors: Iterable[str]) -> JoinedPart:
        """Set down a part's objects; of its named destinations, keep those of anchors (its own, not stand-ins)."""
        catalog = part.catalog
        numbers = {part.pages.number: self.pdf.pages.number, catalog.number: self.pdf.catalog.number}
        left_out = {0, part.pages.number, catalog.number}
        tagged = "StructTreeRoot" in catalog
        if tagged:
            root = part.objects[_number(catalog["StructTreeRoot"])]
            parent_tree = part.objects[_number(root["ParentTree"])]
            document = part.objects[_number(root["K"][0])]
            numbers |= {
                root.number: self.structure_root.number,
                parent_tree.number: self.parent_tree_object.number,
                document.number: self.document_element.number,
            }
            left_out |= {root.number, parent_tree.number, document.number}
        pages = [part.objects[_number(reference)] for reference in _references(part.pages["Kids"])]
        resources = part.objects[_number(pages[0]["Resources"])]
        kept = [item for item in part.objects if item.number not in left_out]
        first = len(self.pdf.objects)
        numbers |= {item.number: first + index for index, item in enumerate(kept)}
        for item in (*kept, catalog, *([parent_tree, document] if tagged else [])):
            _renumber(item, numbers)
        key_base = len(self.parent_tree)  # parent tree keys go on from the previous part's
        live = {id(page) for page in pages} | {id(resources)}
        self.resources |= {id(page): resources for page in pages}
        for item in kept:
            if isinstance(item, pydyf.Dictionary) and "StructParent" in item:
                item["StructParent"] += key_base
            if isinstance(item, pydyf.Dictionary) and "StructParents" in item:
                item["StructParents"] += key_base
            if id(item) in live:
                self.pdf.add_object(item)
            else:
                self.pdf.add_object(Serialised(item.data, item.compressible))
        elements = []
        if tagged:
            nums = parent_tree["Nums"]
            self.parent_tree += [(key + key_base, value) for key, value in zip(nums[::2], nums[1::2])]
            elements = list(document["K"])
        keep = set(anchors)
        names = catalog.get("Names", {}).get("Dests", {}).get("Names", [])
        for name, destination in zip(names[::2], names[1::2]):
            if name.string in keep:
                self.dests[name.string] = destination
        return JoinedPart(pages, elements, catalog, part.info)

    def stamp(self, pages: list[pydyf.Dictionary], footers: pydyf.PDF) -> None:
        """Draw each page of footers, a document of page footers alone, over the page of pages at the same index."""
        numbers = {footers.pages.number: self.pdf.pages.number, footers.catalog.number: self.pdf.catalog.number}
        footer_pages = [footers.objects[_number(reference)] for reference in _references(footers.pages["Kids"])]
        if len(footer_pages) != len(pages):
            raise ValueError(f"{len(footer_pages)} footers for {len(pages)} pages")
        left_out = {0, footers.pages.number, footers.catalog.number} | {page.number for page in footer_pages}
        drawings = [footers.objects[_number(footer["Contents"])] for footer in footer_pages]
        kept = [item for item in footers.objects if item.number not in left_out]
        first = len(self.pdf.objects)
        numbers |= {item.number: first + index for index, item in enumerate(kept)}
        for item in (*kept, *footer_pages):
            _renumber(item, numbers)
        for footer, drawing in zip(footer_pages, drawings):  # each footer page's drawing becomes a form the page draws
            drawing.extra.update({"Type": "/XObject", "Subtype": "/Form", "BBox": footer["MediaBox"], "Resources": footer["Resources"]})
        for item in kept:
            self.pdf.add_object(Serialised(item.data, item.compressible))
        for page, footer in zip(pages, footer_pages):
            own = self.resources[id(page)]
            resources = pydyf.Dictionary({**own, "XObject": pydyf.Dictionary({**own.get("XObject", {}), "Footer": footer["Contents"]})})
            self.pdf.add_object(resources)
            page["Resources"] = resources.reference
            page["Contents"] = pydyf.Array([self.before_page.reference, page["Contents"], self.after_page.reference])

    def write(self, output, parts: list[JoinedPart], bookmarks: list, version=None, identifier=None, compress=True) -> None:
        """Write the joined file: the parts' pages in the order given, then what spans them."""
        pdf = self.pdf
        for part in parts:
            for page in part.pages:
                page["Parent"] = pdf.pages.reference
                pdf.pages["Kids"].extend([page.number, 0, "R"])
            self.document_element.setdefault("K", pydyf.Array()).extend(part.elements)
        pdf.pages["Count"] = sum(len(part.pages) for part in parts)
        self.parent_tree_object["Nums"] = pydyf.Array([item for key, value in sorted(self.parent_tree, key=lambda entry: entry[0]) for item in (key, value)])
        self.structure_root["ParentTreeNextKey"] = len(self.parent_tree)
        first = parts[0]
        for key in ("Lang", "ViewerPreferences", "MarkInfo"):
            if key in first.catalog:
                pdf.catalog[key] = first.catalog[key]
        pdf.catalog["StructTreeRoot"] = self.structure_root.reference
        if self.dests:
            names = pydyf.Array([item for name in sorted(self.dests) for item in (pydyf.String(name), self.dests[name])])
            pdf.catalog["Names"] = pydyf.Dictionary({"Dests": pydyf.Dictionary({"Names": names})})
        add_outlines(pdf, bookmarks)
        pdf.info.update(first.info)
        pdf.write(output, version, identifier, compress)


def _number(reference: bytes) -> int:
    return int(REFERENCE.fullmatch(reference)[1])


def _references(kids: list) -> list[bytes]:
    """The page references of a page tree's Kids, which pydyf keeps as number, 0, 'R'."""
    return [f"{number} 0 R".encode() for number in kids[::3]]


def _renumber(value: Any, numbers: dict[int, int]) -> Any:
    """value with every reference to an object renumbered (in place for dictionaries, arrays and streams' headers)."""
    if isinstance(value, bytes):
        match = REFERENCE.fullmatch(value)
        return f"{numbers[int(match[1])]} 0 R".encode() if match else value
    if isinstance(value, pydyf.Stream):
        _renumber(value.extra, numbers)
    elif isinstance(value, dict):
        for key, item in value.items():
            value[key] = _renumber(item, numbers)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            value[index] = _renumber(item, numbers)
    return value
