"""The readers of the analyst's own files — limit profiles, the suppression policy, mapping
files, the settings file — on arbitrary bytes and near-valid TOML: read, or one German error
naming the file."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import example, given
from hypothesis import strategies as st

from deliverability.errors import DeliverabilityError

from .fuzzing import FUZZ, PROJECT, arbitrary_or_mutated, guarded

pytestmark = pytest.mark.fuzz

PACKAGE = PROJECT / "deliverability"
PROFILES = [p.read_bytes() for p in sorted((PACKAGE / "limits" / "profiles").glob("*.toml"))]
POLICY = [(PACKAGE / "suppression" / "policy.toml").read_bytes()]
MAPPINGS = [p.read_bytes() for p in sorted((PACKAGE / "ingest" / "mappings").glob("*.toml"))]
SETTINGS = [
    (PACKAGE / "settings.toml").read_bytes(),
    b"[suppression]\nconsecutive_soft = 3\ncomplaints = true\n",
]


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def _names_the_file(result: object, path: Path) -> None:
    if isinstance(result, DeliverabilityError):
        assert path.name in str(result), str(result)


@FUZZ
@given(data=arbitrary_or_mutated(PROFILES))
def test_limit_profiles(tmp_path_factory, data):
    from deliverability.limits.profile import read_profile

    path = _write(tmp_path_factory.mktemp("fuzz"), "profil.toml", data)
    _names_the_file(guarded(lambda: read_profile(path)), path)


@FUZZ
@given(data=arbitrary_or_mutated(POLICY))
def test_suppression_policy(tmp_path_factory, data):
    from deliverability.suppression.policy import load_policy

    path = _write(tmp_path_factory.mktemp("fuzz"), "richtlinie.toml", data)
    _names_the_file(guarded(lambda: load_policy(path)), path)


@FUZZ
@given(data=arbitrary_or_mutated(MAPPINGS))
def test_mapping_files(tmp_path_factory, data):
    from deliverability.ingest.formats.mapped_csv import read_mapping

    path = _write(tmp_path_factory.mktemp("fuzz"), "zuordnung.toml", data)
    _names_the_file(guarded(lambda: read_mapping(path)), path)


@FUZZ
@given(data=arbitrary_or_mutated(SETTINGS))
def test_settings_files(tmp_path_factory, data):
    from deliverability.settings import load_settings

    path = _write(tmp_path_factory.mktemp("fuzz"), "deliverability.toml", data)
    _names_the_file(guarded(lambda: load_settings(path)), path)


# --- structured: valid files with one value of the wrong type or out of range -------------

TOML_VALUES = st.recursive(
    st.none()  # stands for "key removed"
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=True)
    | st.text(max_size=12)
    | st.sampled_from(["", "0", "-1", "1h", "99999999999999999999", "false", "Mars/Olympus"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["a", "columns", "rules", "event"]), inner, max_size=2)
    ),
    max_leaves=6,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a parsed TOML document where a value could be replaced."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, inner in value.items():
            found += _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += _paths(inner, (*prefix, index))
    return found


def _replace(document: Any, where: tuple[Any, ...], value: Any) -> Any:
    if not where:
        return value
    head, rest = where[0], where[1:]
    if isinstance(document, dict):
        changed = dict(document)
        if value is None and not rest:
            changed.pop(head, None)
        else:
            changed[head] = _replace(document[head], rest, value)
        return changed
    changed_list = list(document)
    changed_list[head] = _replace(document[head], rest, value)
    return changed_list


def _without_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value if v is not None]
    return value


@st.composite
def retyped(draw: st.DrawFn, sources: list[bytes]) -> bytes:
    """A valid TOML file with one to three values replaced by values of any type."""
    document = tomllib.loads(draw(st.sampled_from(sources)).decode("utf-8"))
    for _ in range(draw(st.integers(1, 3))):
        places = _paths(document)
        if not places:
            break
        document = _replace(document, draw(st.sampled_from(places)), draw(TOML_VALUES))
    return tomli_w.dumps(_without_none(document)).encode("utf-8")


@FUZZ
@given(data=retyped(PROFILES))
def test_limit_profiles_with_wrong_types(tmp_path_factory, data):
    from deliverability.limits.profile import read_profile

    path = _write(tmp_path_factory.mktemp("fuzz"), "profil.toml", data)
    _names_the_file(guarded(lambda: read_profile(path)), path)


@FUZZ
@given(data=retyped(POLICY))
def test_suppression_policy_with_wrong_types(tmp_path_factory, data):
    from deliverability.suppression.policy import load_policy

    path = _write(tmp_path_factory.mktemp("fuzz"), "richtlinie.toml", data)
    _names_the_file(guarded(lambda: load_policy(path)), path)


@FUZZ
@given(data=retyped(MAPPINGS))
@example(data=b"columns = []\n")  # found by this suite: a list where a table belongs
@example(data=b"[columns]\ntimestamp = 5\nrecipient = [1]\nevent = {a = 1}\n")
def test_mapping_files_with_wrong_types(tmp_path_factory, data):
    from deliverability.ingest.formats.mapped_csv import read_mapping

    path = _write(tmp_path_factory.mktemp("fuzz"), "zuordnung.toml", data)
    _names_the_file(guarded(lambda: read_mapping(path)), path)


@FUZZ
@given(data=retyped(SETTINGS))
def test_settings_files_with_wrong_types(tmp_path_factory, data):
    from deliverability.settings import load_settings

    path = _write(tmp_path_factory.mktemp("fuzz"), "deliverability.toml", data)
    _names_the_file(guarded(lambda: load_settings(path)), path)
