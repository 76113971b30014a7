"""The commit a build is made from, as every page and PDF names it beside the edition date.

A reader who holds two copies of the briefing can tell whether they are the same edition, and an
editor can find the exact content a copy was built from. The commit comes from git when the project
is a git working tree; a build that cannot tell (no git, no repository, no commit yet) says so.
What the commit holds of a file also tells a fact an editor added from one already published.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

UNVERSIONED = "unversioned"


def built_from(root: Path, inputs: tuple[str, ...]) -> str:
    """"commit <12 hex digits>", with " + uncommitted changes" when the inputs (paths under root, the files and folders
    a build reads) differ from it; else "unversioned". The generator's own code is not among the inputs: a project may
    keep its content apart from the code that builds it."""
    commit = _git(root, "rev-parse", "--short=12", "HEAD")
    # --no-optional-locks: status would otherwise refresh git's index, and a build writes nothing outside its output folders.
    changes = _git(root, "--no-optional-locks", "status", "--porcelain", "--", *inputs)
    if not commit or changes is None:
        return UNVERSIONED
    return f"commit {commit}" + (" + uncommitted changes" if changes else "")


def committed_text(path: Path) -> str | None:
    """The file as the last commit holds it; "" when that commit does not hold it; None when there is no commit to ask
    (git is not installed, the file's folder is in no working tree, or it has no commit yet). Asks nothing of the network."""
    folder = path.parent
    if _git(folder, "rev-parse", "--verify", "--quiet", "HEAD") is None:
        return None
    shown = git_output(folder, "show", f"HEAD:./{path.name}")
    return "" if shown is None else shown.decode("utf-8", "replace")


def _git(root: Path, *args: str) -> str | None:
    """What git prints, stripped; None when git is not installed or fails (root is no working tree, HEAD names no commit)."""
    output = git_output(root, *args)
    # Read as bytes: a file name git lists need not be UTF-8, and only whether it lists any matters.
    return output.decode("utf-8", "replace").strip() if output is not None else None


def git_output(root: Path, *args: str, given: bytes | None = None) -> bytes | None:
    """What git prints, as it prints it, given what it reads (if anything); None when git is not installed or fails."""
    # A partial clone fetches a missing object from its remote on demand; a build asks nothing of the network (git 2.44+).
    offline = {**os.environ, "GIT_NO_LAZY_FETCH": "1"}
    try:
        result = subprocess.run(["git", *args], cwd=root, capture_output=True, input=given, env=offline)
    except OSError:  # git is not installed, or cannot be run
        return None
    return result.stdout if result.returncode == 0 else None
