"""Editor support: JSON Schemas for fact sheets, source front matter, the glossary and the overview, generated from the models.

The models stay the one definition of the content; the schemas are derived
from them so an editor (yaml-language-server, via the modeline on the first
line of each fact sheet and of glossary.yaml) offers the same fields and flags
the same shapes the build checks. Cross-file rules (quotes found, ids unique) exist only in `check`.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from .models import FactSheet, Glossary, Overview, SourceMeta

SCHEMAS_DIR = "schemas"
SCHEMA_FILES: dict[str, type[BaseModel]] = {
    "factsheet.schema.json": FactSheet,
    "source.schema.json": SourceMeta,
    "glossary.schema.json": Glossary,
    "overview.schema.json": Overview,
}
# Pydantic writes Draft 2020-12; saying so lets editors pick the right rules.
DIALECT = "https://json-schema.org/draft/2020-12/schema"
MODELINE = f"# yaml-language-server: $schema=../{SCHEMAS_DIR}/factsheet.schema.json"
GLOSSARY_MODELINE = f"# yaml-language-server: $schema={SCHEMAS_DIR}/glossary.schema.json"
OVERVIEW_MODELINE = f"# yaml-language-server: $schema={SCHEMAS_DIR}/overview.schema.json"


def json_schema(model: type[BaseModel]) -> dict:
    """The model's JSON Schema, as editors read YAML (input shapes, not serialised output)."""
    return {"$schema": DIALECT, **model.model_json_schema(mode="validation")}


def schema_text(model: type[BaseModel]) -> str:
    """The model's JSON Schema as a file holds it: sorted keys, indent 2, trailing newline."""
    return json.dumps(json_schema(model), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def schema_texts() -> dict[str, str]:
    """Each schema file's name and exact text."""
    return {name: schema_text(model) for name, model in SCHEMA_FILES.items()}


def write_schemas(root: Path) -> list[Path]:
    """Write every schema into root/schemas/, only where the text changed; return the files written."""
    folder = root / SCHEMAS_DIR
    folder.mkdir(exist_ok=True)
    written = []
    for name, text in schema_texts().items():
        target = folder / name
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
            written.append(target)
    return written
