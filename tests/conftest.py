"""Shared fixtures: a copy of the real project in a temporary folder, and helpers to break it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PROJECT_PARTS = ("briefings", "sources", "templates", "mkdocs.yml")


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """The repository's content, templates and site config copied into tmp_path/project."""
    root = tmp_path / "project"
    root.mkdir()
    for part in PROJECT_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, root / part)
        else:
            shutil.copy2(source, root / part)
    return root
