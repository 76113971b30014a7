"""What no check can foresee, turned into content errors: the CLI and serve report it as any other problem."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from .errors import ContentError, ContentErrors, display_path

T = TypeVar("T")


def unforeseen_as_content_errors(step: Callable[[], T], root: Path) -> T:
    """step(), with what no check can foresee raised as a ContentError rather than a traceback:
    an OSError (a file where a folder must be, no permission, no space) on its path, and a file name
    that is not text in the system's encoding."""
    try:
        return step()
    except OSError as exc:
        where = display_path(Path(exc.filename), root) if exc.filename else root.name
        message = f"cannot be read or written ({exc.strerror or exc}): move what is in the way, or fix its permissions"
        raise ContentErrors([ContentError(where, 0, 0, message)]) from exc
    except UnicodeEncodeError as exc:
        name = _undecodable_name(exc)
        if name is None:
            raise  # not from a file name: a bug to see in full
        # Shown as its bytes read as UTF-8, which is what most editors wrote.
        where = os.fsencode(display_path(Path(name), root)).decode("utf-8", "backslashreplace")
        message = f"the name is not {sys.getfilesystemencoding()} text, the encoding of file names here: rename it with letters a-z, digits and hyphens"
        raise ContentErrors([ContentError(where, 0, 0, message)]) from exc


def _undecodable_name(exc: UnicodeEncodeError) -> str | None:
    """The line of text holding the failed characters when they are a name's undecodable bytes, else None.

    Python reads such bytes of a file name as lone surrogates (U+DC80 to U+DCFF), which only
    the file system's own encoding turns back into bytes.
    """
    if not all("\udc80" <= char <= "\udcff" for char in exc.object[exc.start : exc.end]):
        return None
    start = exc.object.rfind("\n", 0, exc.start) + 1
    end = exc.object.find("\n", exc.end)
    return exc.object[start : end if end >= 0 else len(exc.object)]
