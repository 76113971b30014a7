"""One PDF written from documents WeasyPrint generated apart, each written out as soon as it comes.

WeasyPrint holds every laid-out page of a document until it is written (about 2 MiB a
page of the briefing), so a long document is printed in parts. Each part is generated
by WeasyPrint into a `pydyf.PDF` and handed to `JoinedPdf.add`, which renumbers its
objects into the joined file and writes them to it at once, the small ones packed in
one compressed object stream per part as pydyf packs a whole file. What stays in
memory is where each object is (for the cross-reference stream), the pages' own
dictionaries, and what the end needs: the structure tree's top elements, the parent
tree, the named destinations. (Kept as Python objects, the written objects took about
0.1 MiB a page: 200 MiB at 2,000 pages.)

What WeasyPrint makes once per document is made once here, over all parts: the page
tree, the structure tree root with its Document element and parent tree (WeasyPrint
tags page by page, so a part's top elements follow the previous part's), the named
destinations and the outline. Page footers that need the total number of pages are
stamped afterwards (`stamp`), from a document of footers alone.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from math import ceil, log
from typing import Any, BinaryIO

import pydyf
from weasyprint.pdf.anchors import add_outlines

REFERENCE = re.compile(rb"(\d+) 0 R")
# Around each page's own drawing, so the footer is drawn from the page's first
# coordinates; the footer is an artifact, not content, for screen readers.
BEFORE_PAGE = b"q"
AFTER_PAGE = b"Q\n/Artifact BMC\n/Footer Do\nEMC"


@dataclass
class JoinedPart:
    """A part added: its pages (dictionaries written at the end) and its structure tree's top elements."""

    pages: list[pydyf.Dictionary]
    elements: list[bytes]
    catalog: pydyf.Dictionary
    info: pydyf.Dictionary


class JoinedPdf:
    """The joined file being written to output: parts added in any order, footers stamped, then the rest."""

    def __init__(self, output: BinaryIO):
        self.output = output
        self.position = 0
        # The cross-reference stream's columns, one entry per object number (0 is the free head).
        self.kinds, self.places, self.indexes = bytearray([0]), array("q", [0]), array("q", [65535])
        self.last: list[pydyf.Object] = []  # written at the end: pages, their resources, the trees
        self.dests: dict[str, pydyf.Array] = {}
        self.parent_tree: list[tuple[int, Any]] = []  # (key, what it maps to), keys unique over all parts
        # A page's resources are its part's; kept until footers are stamped, which extends them page by page.
        self.resources: dict[int, pydyf.Dictionary] = {}
        self.pages = pydyf.Dictionary({"Type": "/Pages", "Kids": pydyf.Array(), "Count": 0})
        self.catalog = pydyf.Dictionary({"Type": "/Catalog"})
        self.structure_root = pydyf.Dictionary({"Type": "/StructTreeRoot"})
        self.parent_tree_object = pydyf.Dictionary({})
        self.document_element = pydyf.Dictionary({"Type": "/StructElem", "S": "/Document"})
        for item in (self.pages, self.catalog, self.structure_root, self.parent_tree_object, self.document_element):
            self.add_object(item)
        self.catalog["Pages"] = self.pages.reference
        self.structure_root["ParentTree"] = self.parent_tree_object.reference
        self.structure_root["K"] = pydyf.Array([self.document_element.reference])
        self.document_element["P"] = self.structure_root.reference
        self._write(b"%PDF-1.7\n%\xf0\x9f\x96\xa4\n")
        self.before_page, self.after_page = self._write_streams([BEFORE_PAGE, AFTER_PAGE])

    def add(self, part: pydyf.PDF, anchors: Iterable[str]) -> JoinedPart:
        """Write a part's objects; of its named destinations, keep those of anchors (its own, not stand-ins)."""
        catalog = part.catalog
        numbers = {part.pages.number: self.pages.number, catalog.number: self.catalog.number}
        left_out = {0, part.pages.number, catalog.number}
        tagged = "StructTreeRoot" in catalog
        if tagged:
            root = part.objects[_place(catalog["StructTreeRoot"])]
            parent_tree = part.objects[_place(root["ParentTree"])]
            document = part.objects[_place(root["K"][0])]
            numbers |= {
                root.number: self.structure_root.number,
                parent_tree.number: self.parent_tree_object.number,
                document.number: self.document_element.number,
            }
            left_out |= {root.number, parent_tree.number, document.number}
        pages = [part.objects[number] for number in part.pages["Kids"][::3]]
        resources = part.objects[_place(pages[0]["Resources"])]
        kept = self._number(part.objects, left_out, numbers)
        for item in (*kept, catalog, *([parent_tree, document] if tagged else [])):
            _renumber(item, numbers)
        key_base = len(self.parent_tree)  # parent tree keys go on from the previous part's
        for item in kept:
            if isinstance(item, pydyf.Dictionary) and "StructParent" in item:
                item["StructParent"] += key_base
            if isinstance(item, pydyf.Dictionary) and "StructParents" in item:
                item["StructParents"] += key_base
        self.resources |= {id(page): resources for page in pages}
        last = {id(page) for page in pages} | {id(resources)}
        self.last += [item for item in kept if id(item) in last]
        self._write_objects([item for item in kept if id(item) not in last])
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
        numbers = {footers.pages.number: self.pages.number, footers.catalog.number: self.catalog.number}
        footer_pages = [footers.objects[number] for number in footers.pages["Kids"][::3]]
        if len(footer_pages) != len(pages):
            raise ValueError(f"{len(footer_pages)} footers for {len(pages)} pages")
        drawings = [footers.objects[_place(footer["Contents"])] for footer in footer_pages]
        left_out = {0, footers.pages.number, footers.catalog.number} | {page.number for page in footer_pages}
        kept = self._number(footers.objects, left_out, numbers)
        for item in (*kept, *footer_pages):
            _renumber(item, numbers)
        for footer, drawing in zip(footer_pages, drawings):  # each footer page's drawing becomes a form the page draws
            drawing.extra.update({"Type": "/XObject", "Subtype": "/Form", "BBox": footer["MediaBox"], "Resources": footer["Resources"]})
        page_resources = []
        for page, footer in zip(pages, footer_pages):
            own = self.resources[id(page)]
            resources = pydyf.Dictionary({**own, "XObject": pydyf.Dictionary({**own.get("XObject", {}), "Footer": footer["Contents"]})})
            self.add_object(resources)
            page_resources.append(resources)
            page["Resources"] = resources.reference
            page["Contents"] = pydyf.Array([self.before_page, page["Contents"], self.after_page])
        self._write_objects([*kept, *page_resources])

    def write(self, parts: list[JoinedPart], bookmarks: list) -> None:
        """Write the rest: the parts' pages in the order given, what spans them, and the cross-reference stream."""
        for part in parts:
            for page in part.pages:
                page["Parent"] = self.pages.reference
                self.pages["Kids"].extend([page.number, 0, "R"])
            self.document_element.setdefault("K", pydyf.Array()).extend(part.elements)
        self.pages["Count"] = sum(len(part.pages) for part in parts)
        self.parent_tree_object["Nums"] = pydyf.Array([item for key, value in sorted(self.parent_tree, key=lambda entry: entry[0]) for item in (key, value)])
        self.structure_root["ParentTreeNextKey"] = len(self.parent_tree)
        first = parts[0]
        for key in ("Lang", "ViewerPreferences", "MarkInfo"):
            if key in first.catalog:
                self.catalog[key] = first.catalog[key]
        self.catalog["StructTreeRoot"] = self.structure_root.reference
        if self.dests:
            names = pydyf.Array([item for name in sorted(self.dests) for item in (pydyf.String(name), self.dests[name])])
            self.catalog["Names"] = pydyf.Dictionary({"Dests": pydyf.Dictionary({"Names": names})})
        outline = Outline(self)
        add_outlines(outline, bookmarks)
        info = pydyf.Dictionary(first.info)
        self.add_object(info)
        self._write_objects([*self.last, *outline.objects, self.pages, self.catalog, self.structure_root, self.parent_tree_object, self.document_element, info])
        self._write_cross_references(info)

    def add_object(self, item: pydyf.Object) -> None:
        """Give item the next object number; it is written by a later _write_objects, or at the end."""
        item.number = self._allocate(1)

    def _allocate(self, count: int) -> int:
        """The first of count new object numbers."""
        first = len(self.kinds)
        self.kinds.extend(bytes(count))
        self.places.extend([0] * count)
        self.indexes.extend([0] * count)
        return first

    def _number(self, objects: list[pydyf.Object], left_out: set[int], numbers: dict[int, int]) -> list[pydyf.Object]:
        """Number a part's objects in the joined file, but those left out; the objects numbered, once each.

        numbers gets each one's number in the joined file by its number in the part, which is
        its place in the part's list: an object WeasyPrint added twice has two, both given one.
        """
        given: dict[int, int] = {}
        kept = []
        for place, item in enumerate(objects):
            if place in left_out:
                continue
            if id(item) not in given:
                given[id(item)] = self._allocate(1)
                kept.append(item)
            numbers[place] = given[id(item)]
        for item in kept:
            item.number = given[id(item)]
        return kept

    def _write(self, data: bytes) -> None:
        self.output.write(data)
        self.position += len(data)

    def _write_object(self, number: int, data: bytes) -> None:
        self.kinds[number], self.places[number], self.indexes[number] = 1, self.position, 0
        self._write(b"%d 0 obj\n%s\nendobj\n" % (number, data))

    def _write_streams(self, contents: list[bytes]) -> list[bytes]:
        references = []
        for content in contents:
            stream = pydyf.Stream([content])
            self.add_object(stream)
            self._write_object(stream.number, stream.data)
            references.append(stream.reference)
        return references

    def _write_objects(self, items: list[pydyf.Object]) -> None:
        """Write items under their numbers in the joined file: streams as they are, the rest packed in one object stream."""
        packed = []
        for item in items:
            if isinstance(item, pydyf.Stream):
                self._write_object(item.number, item.data)
            else:
                packed.append(item)
        if not packed:
            return
        header, position, datas = [], 0, []
        for item in packed:
            data = item.data
            header += [item.number, position]
            datas.append(data)
            position += len(data) + 1
        head = " ".join(str(value) for value in header)
        stream = pydyf.Stream([head, *datas], {"Type": "/ObjStm", "N": len(packed), "First": len(head) + 1}, compress=True)
        self.add_object(stream)
        for index, item in enumerate(packed):
            self.kinds[item.number], self.places[item.number], self.indexes[item.number] = 2, stream.number, index
        self._write_object(stream.number, stream.data)

    def _write_cross_references(self, info: pydyf.Dictionary) -> None:
        """The cross-reference stream, as pydyf writes it, and the trailer."""
        if 0 in self.kinds[1:]:
            raise ValueError(f"object {self.kinds.index(0, 1)} was numbered but never written")
        number = len(self.kinds)
        self.kinds.append(1)
        self.places.append(self.position)
        self.indexes.append(0)
        widths = (1, ceil(log(self.position + 1, 256)), ceil(log(max(self.indexes) + 1, 256)))
        rows = b"".join(
            kind.to_bytes(widths[0], "big") + place.to_bytes(widths[1], "big") + index.to_bytes(widths[2], "big")
            for kind, place, index in zip(self.kinds, self.places, self.indexes)
        )
        extra = {"Type": "/XRef", "Index": pydyf.Array((0, number + 1)), "W": pydyf.Array(widths), "Size": number + 1, "Root": self.catalog.reference, "Info": info.reference}
        start = self.position
        self._write_object(number, pydyf.Stream([rows], extra, compress=True).data)
        self._write(b"startxref\n%d\n%%%%EOF\n" % start)


class Outline:
    """What WeasyPrint's add_outlines uses of a pydyf.PDF; the outline's items are written once all are linked."""

    def __init__(self, joined: JoinedPdf):
        self.joined = joined
        self.catalog = joined.catalog
        self.objects: list[pydyf.Object] = []
        self.page_references = tuple(f"{number} 0 R".encode() for number in joined.pages["Kids"][::3])

    def add_object(self, item: pydyf.Object) -> None:
        self.joined.add_object(item)
        self.objects.append(item)


def _place(reference: bytes) -> int:
    """The number an object reference names: its place in its own file's list of objects."""
    return int(REFERENCE.fullmatch(reference)[1])


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
