"""The German glossary as data (`glossary.toml`): one term per concept, with the synonyms that
must not appear in anything an analyst reads, and a check that finds them in a text."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from deliverability.errors import ConfigError

_DATA = Path(__file__).with_name("glossary.toml")
#: Spans that quote rather than speak: German quotation marks („Sendelimit überschritten“ as a
#: vendor writes it) and Markdown code (`replay`, file names, options).
_QUOTED = re.compile(r"„[^“]*“|`[^`]*`")


@dataclass(frozen=True)
class Term:
    term: str
    meaning: str
    forbidden: tuple[str, ...]


@cache
def glossary() -> tuple[Term, ...]:
    """The terms in the order of the data file, checked: each term once, no forbidden word that
    is itself a term."""
    with _DATA.open("rb") as handle:
        raw = tomllib.load(handle)
    terms = tuple(
        Term(entry["term"], entry["meaning"], tuple(entry.get("forbidden", ())))
        for entry in raw["term"]
    )
    names = [t.term for t in terms]
    doubled = sorted({name for name in names if names.count(name) > 1})
    clashing = sorted({word for t in terms for word in t.forbidden} & set(names))
    if doubled or clashing:
        raise ConfigError(
            f"{_DATA.name}: doppelte Begriffe {', '.join(doubled) or '–'}; "
            f"verbotene Wörter, die selbst Begriffe sind: {', '.join(clashing) or '–'}."
        )
    return terms


@cache
def vendor_names() -> tuple[str, ...]:
    """Vendors' product and field names that contain a forbidden word (quoted as they are)."""
    with _DATA.open("rb") as handle:
        return tuple(tomllib.load(handle).get("names", ()))


@cache
def _patterns() -> tuple[tuple[re.Pattern[str], str, str], ...]:
    return tuple(
        (re.compile(rf"(?<![\w-]){re.escape(word)}(?![\w-])"), word, term.term)
        for term in glossary()
        for word in term.forbidden
    )


def forbidden_words(text: str) -> list[tuple[str, str]]:
    """(forbidden word, term to use instead) for each forbidden synonym in `text`, outside
    quotations and code."""
    spoken = _QUOTED.sub(" ", text)
    for name in vendor_names():
        spoken = spoken.replace(name, " ")
    return [(word, term) for pattern, word, term in _patterns() if pattern.search(spoken)]
