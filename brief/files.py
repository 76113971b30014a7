"""Stage 2a, each file alone: a content file parsed and made into its model.

What a file makes alone depends on its bytes only, so it is what the cache (cache.py)
keeps between runs; validate.py then checks the files against each other.
"""

from __future__ import annotations

import difflib
import typing
import unicodedata
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

from pydantic import BaseModel, ValidationError

from .cache import Cache
from .document import Document, Loc, Located
from .errors import ContentError
from .load import GLOSSARY_FILE, OVERVIEW_FILE, SHEETS_DIR, ContentFile, SourceFile, parse
from .models import STATUSES, Citation, FactSheet, Glossary, Overview, PartialDate, SourceMeta
from .numbers import figure_problem, numbers_missing

M = typing.TypeVar("M", bound=BaseModel)
SLUG_HINT = "ids use lowercase letters a-z, digits and single hyphens, e.g. `power-of-siberia`"
_FILE_MODELS: dict[str, type[BaseModel]] = {SHEETS_DIR: FactSheet, GLOSSARY_FILE: Glossary, OVERVIEW_FILE: Overview}


# Where, what to say, and the citations (source id, normalised quote) that must be found for it to be said.
NumberProblem = tuple[Loc, str, tuple[tuple[str, str], ...]]


@dataclass(frozen=True)
class CheckedFile:
    """A content file parsed and made into its model (None, with the errors, where either failed).

    Once the model is made, the file's YAML data is not kept: the model holds what it said, and
    `parsed` where each value was (a Located, or a SourceFile whose front matter is one). A file
    whose model failed keeps its Document, data and all, for validate to salvage its citations.
    """

    kind: str  # load.SHEETS_DIR, SOURCES_DIR, GLOSSARY_FILE or OVERVIEW_FILE
    path: Path
    parsed: Located | SourceFile | None
    model: BaseModel | None
    errors: tuple[ContentError, ...]
    # A fact sheet's numbers its quotes do not state (number_problems): reported by validate once its quotes are found.
    number_problems: tuple[NumberProblem, ...] = ()


def checked_files(files: list[ContentFile], cache: Cache | None = None) -> list[CheckedFile]:
    """Each file checked alone; with cache, a file whose bytes it knows is not read again."""
    return [cache.value(file.path, file.raw, partial(checked_file, file)) if cache and file.raw is not None else checked_file(file) for file in files]


def checked_file(file: ContentFile) -> CheckedFile:
    """The file parsed and made into its model, with what checking quotes needs made too: the normalised
    text of a source and the normalised quote of each citation, so that they are kept with it; and a
    fact sheet's number problems."""
    parsed, errors = parse(file)
    if parsed is None:
        return CheckedFile(file.kind, file.path, None, None, tuple(errors))
    if isinstance(parsed, SourceFile):
        model, problems = _validated(SourceMeta, parsed.front)
        if model is not None:
            parsed = replace(parsed, front=parsed.front.located())
        parsed.text.normalized  # noqa: B018 - made once, here
    else:
        model, problems = _validated(_FILE_MODELS[file.kind], parsed)
        for _, citation in citations_of(model):
            citation.quote_key  # noqa: B018 - made once, here
        if model is not None:
            parsed = parsed.located()
    numbers = number_problems(model) if isinstance(model, FactSheet) else ()
    return CheckedFile(file.kind, file.path, parsed, model, tuple(errors + problems), numbers)


def number_problems(sheet: FactSheet) -> tuple[NumberProblem, ...]:
    """Each figure value and each number in a fact's text that its own quotes do not state.

    They depend on the sheet alone, so they are found here, once per version of the file, and kept
    with it; whether the quotes are in their sources is for validate, which reports a problem only then
    (a quote not found has its own error).
    """
    problems: list[NumberProblem] = []
    for index, figure in enumerate(sheet.figures):
        problem = figure_problem(figure.value, figure.unit, figure.qualifier, [citation.quote for citation in figure.cite])
        if problem:
            problems.append((("figures", index, "value"), problem, quote_keys(figure.cite)))
    for index, fact in enumerate(sheet.facts):
        for written, _ in numbers_missing(fact.text, [citation.quote for citation in fact.cite], date_parts(fact.date)):
            message = f'the text says "{written}" but no quote does: cite the words that state it, or correct the text'
            problems.append((("facts", index, "text"), message, quote_keys(fact.cite)))
    return tuple(problems)


def quote_keys(cite: list[Citation]) -> tuple[tuple[str, str], ...]:
    return tuple(citation.quote_key for citation in cite)


def date_parts(when: PartialDate | None) -> tuple[str, ...]:
    """The year, month and day a fact is dated to: a text may write them without its quotes doing so."""
    return tuple(str(part) for part in (when.year, when.month, when.day) if part) if when else ()


def _validated(cls: type[M], doc: Document) -> tuple[M | None, list[ContentError]]:
    try:
        return cls.model_validate(doc.data), []
    except ValidationError as exc:
        errors = exc.errors()
        misspelt = _misspelt_fields(cls, errors)
        return None, [_describe(e, doc, cls) for e in errors if not (e["type"] == "missing" and (tuple(e["loc"][:-1]), e["loc"][-1]) in misspelt)]


def _misspelt_fields(cls: type[BaseModel], errors: list) -> set[tuple[Loc, str | None]]:
    """(where, field) for each unknown key close to an allowed field: that field's "missing" error is the same mistake,
    and "unknown field `sayd_by`: did you mean `said_by`?" says it all."""
    return {(tuple(e["loc"][:-1]), _close_field(cls, tuple(e["loc"]))) for e in errors if e["type"] == "extra_forbidden"}


def _describe(error: dict, doc: Document, cls: type[BaseModel]) -> ContentError:
    """A pydantic error as an editor's message at the place it concerns."""
    loc: Loc = tuple(error["loc"])
    kind, value = error["type"], error.get("input")
    field = str(loc[-1]) if loc else ""
    if kind == "missing":
        return doc.error(loc[:-1], f"missing field `{field}:`: add it{_missing_hint(cls, loc)}")
    if kind == "extra_forbidden":
        guess = _close_field(cls, loc)
        hint = f"did you mean `{guess}`?" if guess else "allowed here: " + ", ".join(sorted(_fields_at(cls, loc[:-1])))
        return doc.error(loc, f"unknown field `{field}`: {hint}", key=True)
    if kind == "string_pattern_mismatch":
        return doc.error(loc, f"{value!r} is not a valid id: {slug_problem(value)}")
    if kind == "string_type" and value is None:
        return doc.error(loc, f"`{field}` has no value: write it after `{field}:`")
    if kind == "string_type" and isinstance(value, list | dict):
        return doc.error(loc, f"`{field}` must be text, not {_yaml_kind(value)}: write one line of text, in quotes if it holds `: `")
    if kind == "string_type":
        return doc.error(loc, f"`{field}` must be text, not {_yaml_kind(value)}: put the value in quotes")
    if kind == "string_too_short":
        return doc.error(loc, f"`{field}` is empty: write it, or remove the field if it is optional")
    if kind == "literal_error":
        return doc.error(loc, f"{value!r} is not a status: use one of {', '.join(STATUSES)}")
    if kind == "too_short" and error.get("ctx", {}).get("min_length", 1) > 1:
        return doc.error(loc, f"`{field}` needs at least {error['ctx']['min_length']} entries, not {error['ctx']['actual_length']}: add more")
    if kind == "too_short":
        return doc.error(loc, f"`{field}` needs at least one entry: add one")
    if kind == "too_long":
        return doc.error(loc, f"`{field}` takes at most {error['ctx']['max_length']} entries, not {error['ctx']['actual_length']}: keep the ones that matter most")
    if kind in ("list_type", "model_type", "dict_type", "model_attributes_type"):
        shape = "a list (lines starting with `- `)" if kind == "list_type" else "fields (`key: value` lines)"
        return doc.error(loc, f"`{field}` must be {shape}, not {_yaml_kind(value)}: rewrite it so")
    if kind.startswith("int"):
        return doc.error(loc, f"`{field}` must be a whole number, not {_yaml_kind(value)}: write digits only, e.g. 3")
    message = error["msg"].removeprefix("Value error, ")
    return doc.error(loc, f"`{field}`: {message}" if field and not isinstance(loc[-1], int) else message)


def slug_problem(value: object) -> str:
    """How to fix an id, naming a character that only looks like a Latin letter (Cyrillic а for a)."""
    foreign = next((char for char in str(value) if char.isalpha() and not char.isascii()), None)
    if foreign is None:
        return SLUG_HINT
    name = unicodedata.name(foreign, "an unnamed character")
    return f"{foreign!r} is {name} (U+{ord(foreign):04X}), not a Latin letter: retype it; {SLUG_HINT}"


def _yaml_kind(value: object) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"the yes/no value {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a set of fields"
    return repr(value)


def _close_field(cls: type[BaseModel], loc: Loc) -> str | None:
    """The field allowed beside loc whose name is closest to loc's last key, if one is close."""
    guess = difflib.get_close_matches(str(loc[-1]), sorted(_fields_at(cls, loc[:-1])), n=1)
    return guess[0] if guess else None


def _fields_at(cls: type[BaseModel], loc: Loc) -> dict[str, object]:
    """The model fields allowed at loc, found by following the annotations."""
    annotation: object = cls
    for part in loc:
        if isinstance(part, int):
            annotation = next(iter(typing.get_args(annotation)), annotation)
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            annotation = annotation.model_fields[part].annotation
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation.model_fields
    return {}


def _missing_hint(cls: type[BaseModel], loc: Loc) -> str:
    info = _fields_at(cls, loc[:-1]).get(str(loc[-1]))
    if info is not None and type(None) in typing.get_args(info.annotation):
        return " (write `null` if it is unknown)"
    return ""


# The fields of a fact or figure that hold citations (models.Claim.citations): its own, and its confirmation's.
CLAIM_CITATIONS = ("cite", "confirmed_in")


def citations_of(model: BaseModel | None) -> typing.Iterator[tuple[Loc, Citation]]:
    """Each citation of a fact sheet or of the glossary (none of anything else), with where it is written."""
    if isinstance(model, FactSheet):
        lists = (("figures", model.figures), ("facts", model.facts))
    else:
        lists = (("terms", model.terms),) if isinstance(model, Glossary) else ()
    for kind, items in lists:
        for index, item in enumerate(items):
            for field in CLAIM_CITATIONS if kind != "terms" else ("cite",):
                for number, citation in enumerate(getattr(item, field)):
                    yield (kind, index, field, number), citation
