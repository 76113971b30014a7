"""The staging folder MkDocs builds from: the rendered pages and the assets, written only where their bytes change.

Unchanged files keep their timestamps, so MkDocs' dirty rebuild (serve) skips them.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from .render import Page


def write_pages(pages: list[Page], assets: list[Path], docs: Path) -> list[str]:
    """Write pages and assets into docs, touching only files whose bytes change; return what changed.

    Unchanged files keep their timestamps so MkDocs' dirty rebuild skips them;
    files no page produces any more are removed. A file already there is replaced
    whole, so MkDocs serving the folder never reads half a page.
    """
    wanted = {page.path: page.data for page in pages}
    wanted.update({f"assets/{asset.name}": asset.read_bytes() for asset in assets})
    existing, folders_there = _tree(docs)
    folders: set[str] = set()
    changed = []
    for relative, data in sorted(wanted.items()):
        target = os.path.join(docs, relative)
        if relative in existing:
            if _read(target) == data:
                continue
            _write(target + ".tmp", data)
            os.replace(target + ".tmp", target)
            existing.discard(relative + ".tmp")  # a killed run's, replaced and renamed away just now
        else:
            folder = os.path.dirname(target)
            if folder not in folders:
                os.makedirs(folder, exist_ok=True)
                folders.add(folder)
            _write(target, data)  # a new file: no one has read it yet
        changed.append(relative)
    for relative in sorted(existing - wanted.keys(), reverse=True):
        os.unlink(os.path.join(docs, relative))
        changed.append(relative)
    for folder in sorted(folders_there, reverse=True):
        if not os.listdir(folder):
            os.rmdir(folder)
    return changed


# Files are read and written with os calls and unbuffered files: pathlib and buffered files make
# several system calls per file, and with many small pages the calls cost more than the bytes.


def _tree(folder: Path) -> tuple[set[str], list[str]]:
    """The files under folder, as paths relative to it with `/`, and the folders under it, in one walk."""
    files: set[str] = set()
    folders: list[str] = []
    for top, names, file_names in os.walk(folder):
        folders += [os.path.join(top, name) for name in names]
        files |= {os.path.relpath(os.path.join(top, name), folder).replace(os.sep, "/") for name in file_names}
    return files, folders


def _read(path: str) -> bytes:
    with open(path, "rb", buffering=0) as file:
        return file.readall()


def _write(path: str, data: bytes) -> None:
    with open(path, "wb", buffering=0) as file:
        written = file.write(data)
    if written != len(data):  # an unbuffered write can stop short (a full disk) without failing
        raise OSError(errno.ENOSPC, "could not write the whole file", path)
