"""The readers of the analyst's own files — limit profiles, the suppression policy, mapping
files, the settings file — on arbitrary bytes and near-valid TOML: read, or one German error
naming the file."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import given
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


def _read_profile(path: Path) -> object:
    from deliverability.limits.profile import read_profile

    return read_profile(path)


def _read_policy(path: Path) -> object:
    from deliverability.suppression.policy import load_policy

    return load_policy(path)


def _read_mapping(path: Path) -> object:
    from deliverability.ingest.formats.mapped_csv import read_mapping

    return read_mapping(path)


def _read_settings(path: Path) -> object:
    from deliverability.settings import load_settings

    return load_settings(path)


#: reader → (the file name it gets, the valid files the near-valid inputs are made from)
READERS = {
    _read_profile: ("profil.toml", PROFILES),
    _read_policy: ("richtlinie.toml", POLICY),
    _read_mapping: ("zuordnung.toml", MAPPINGS),
    _read_settings: ("deliverability.toml", SETTINGS),
}


def _read(folder: Path, reader: Any, data: bytes) -> None:
    """Read `data` as the reader's file: read, or a family error that names the file."""
    path = folder / READERS[reader][0]
    path.write_bytes(data)
    result = guarded(lambda: reader(path))
    if isinstance(result, DeliverabilityError):
        assert path.name in str(result), str(result)


@pytest.mark.parametrize("reader", list(READERS), ids=lambda reader: reader.__name__[6:])
@pytest.mark.parametrize(
    "inputs",
    [arbitrary_or_mutated, retyped],  # bytes and damaged files; TOML with wrong-typed values
    ids=["bytes", "types"],
)
@FUZZ
@given(draw=st.data())
def test_every_reader(tmp_path_factory, reader, inputs, draw):
    data = draw.draw(inputs(READERS[reader][1]))
    _read(tmp_path_factory.mktemp("fuzz"), reader, data)


@pytest.mark.parametrize(
    "data",
    [b"columns = []\n", b"[columns]\ntimestamp = 5\nrecipient = [1]\nevent = {a = 1}\n"],
)
def test_mapping_files_found_by_this_suite(tmp_path, data):
    from deliverability.errors import ConfigError

    path = tmp_path / "zuordnung.toml"
    path.write_bytes(data)
    with pytest.raises(ConfigError, match="zuordnung.toml"):
        _read_mapping(path)
