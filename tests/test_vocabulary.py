"""One vocabulary: no forbidden synonym of the glossary (deliverability/glossary.toml) in
anything an analyst reads: the notebooks and the report's template, the commands' help, the
messages and labels in the code and its data files, README and documentation."""

from __future__ import annotations

import argparse
import ast
import io
import re
import tokenize
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from deliverability import config
from deliverability.glossary import forbidden_words, glossary

ROOT = config.PACKAGE_DIR.parent
#: Data files whose texts are shown to analysts (labels, explanations, findings, headers,
#: descriptions of the limit profiles); other TOML files hold input words, server replies or
#: rule patterns, which must match what vendors write.
SHOWN_DATA = [
    "taxonomy/labels.toml",
    "taxonomy/reasons.toml",
    "report/findings.toml",
    "people_csv.toml",
    "settings.toml",
    *[
        f"limits/profiles/{p.name}"
        for p in (config.PACKAGE_DIR / "limits" / "profiles").glob("*.toml")
    ],
]


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _docstrings(tree: ast.AST) -> set[int]:
    """Ids of the docstring nodes (English, for developers)."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _code_texts(path: Path, *, comments: bool) -> Iterator[tuple[int, str]]:
    """(line, text) of the string literals of a module outside docstrings, and its comments
    where they are for analysts (the notebooks' Markdown and parameter notes)."""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    skip = _docstrings(tree)
    for node in ast.walk(tree):
        # words for people have spaces; single tokens are names and keys
        text = node.value if isinstance(node, ast.Constant) else None
        if isinstance(text, str) and id(node) not in skip and " " in text.strip():
            yield node.lineno, text
    if comments:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT:
                yield token.start[0], token.string


def _texts() -> Iterator[tuple[str, str]]:
    """(where, text) of every analyst-facing text."""
    for notebook in sorted((ROOT / "notebooks").glob("*.py")):
        for line, text in _code_texts(notebook, comments=True):
            yield f"notebooks/{notebook.name}:{line}", text
    for module in sorted(config.PACKAGE_DIR.rglob("*.py")):
        for line, text in _code_texts(module, comments=False):
            yield f"{module.relative_to(ROOT)}:{line}", text
    for name in SHOWN_DATA:
        with (config.PACKAGE_DIR / name).open("rb") as handle:
            for text in _strings(tomllib.load(handle)):
                yield f"deliverability/{name}", text
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for line, text in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
            yield f"{page.relative_to(ROOT)}:{line}", text


def test_the_glossary_is_data_with_a_meaning_for_every_term():
    terms = glossary()
    assert len(terms) >= 30
    assert all(t.term and t.meaning for t in terms)
    names = {t.term for t in terms}
    assert {
        "Anbieter",
        "Versandlimit",
        "Funktionsadresse",
        "Adresse gesperrt",
        "Konto gesperrt",
    } <= names


def test_the_check_finds_synonyms_but_not_quotes_or_code():
    assert forbidden_words("Bounce-Rate je Mailbox-Anbieter") == [("Mailbox-Anbieter", "Anbieter")]
    assert forbidden_words("Die Zustellquote stieg.") == [("Zustellquote", "Zustellrate")]
    assert forbidden_words("Sell meldet „Fehler 002: Sendelimit überschritten“.") == []
    assert forbidden_words("Befehl `deliverability replay`") == []
    assert forbidden_words("Anbieterwechsel, Sendelimits") == [("Sendelimits", "Versandlimit")]


def test_no_analyst_facing_text_uses_a_forbidden_synonym():
    hits = [
        f"{where}: „{word}“ statt „{term}“"
        for where, text in _texts()
        for word, term in forbidden_words(text)
        if not where.startswith("deliverability/glossary.py")
    ]
    assert not hits, "\n".join(hits)


def _help_texts() -> Iterator[tuple[str, str]]:
    from deliverability.cli import _parser

    parser = _parser()
    yield "deliverability --help", parser.format_help()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield f"deliverability {name} --help", sub.format_help()


def test_command_help_is_german_and_uses_the_glossary():
    english = re.compile(r"\b(usage|options|positional arguments|show this help message)\b")
    for where, text in _help_texts():
        assert not english.search(text), where
        assert not forbidden_words(text), (where, forbidden_words(text))


@pytest.mark.parametrize("label", ["gesperrt"])
def test_address_and_account_locks_have_their_own_words(label):
    from deliverability.people_csv import table_words
    from deliverability.taxonomy.labels import status_labels

    assert status_labels()["suppressed"] == f"Adresse {label}"
    assert table_words("replay").values["outcome"]["blocked"] == f"Konto {label}"
