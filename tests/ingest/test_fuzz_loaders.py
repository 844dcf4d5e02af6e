"""Every loader on arbitrary bytes and on near-valid exports: loaded rows, rejected rows or one
German error — never a traceback, a hang or unbounded memory — and every entry accounted for."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from deliverability.errors import DeliverabilityError
from deliverability.ingest import load_events
from deliverability.ingest.registry import format_names

from ..fuzzing import FIXTURES, FUZZ, PROJECT, arbitrary_or_mutated, guarded, gzipped

pytestmark = pytest.mark.fuzz

EXPORTS = sorted((FIXTURES / "formats").iterdir())
EXPORT_BYTES = [path.read_bytes() for path in EXPORTS]
#: Names that steer detection: the real exports' own names plus the generic kinds.
NAMES = [path.name for path in EXPORTS] + ["export.csv", "events.json", "events.jsonl", "x.log"]


def _load(folder: Path, name: str, data: bytes, fmt: str | None = None) -> object:
    path = folder / name
    path.write_bytes(data)
    result = guarded(lambda: load_events([path], format=fmt))
    if not isinstance(result, DeliverabilityError):
        for stats in result.files:
            assert stats.balanced, stats  # read = loaded + rejected + skipped + duplicates
        assert result.events.height == sum(stats.loaded for stats in result.files)
        assert result.rejects.height >= sum(stats.rejected for stats in result.files) - 1
    return result


@FUZZ
@given(name=st.sampled_from(NAMES), data=arbitrary_or_mutated(EXPORT_BYTES))
@example(  # found by this suite: a lone CR in the header line
    name="export.csv", data=b"timestamp,recipient\r,event\n2026-11-16T08:00:00Z,a@b.de,sent\n"
)
def test_detected_formats(tmp_path_factory, name, data):
    _load(tmp_path_factory.mktemp("fuzz"), name, data)


@FUZZ
@given(
    fmt=st.sampled_from(format_names()),
    data=arbitrary_or_mutated(EXPORT_BYTES),
)
@example(fmt="postfix", data=b"")  # found by this suite: an empty log forced as Postfix
def test_every_format_forced(tmp_path_factory, fmt, data):
    _load(tmp_path_factory.mktemp("fuzz"), "export.csv", data, fmt)


@FUZZ
@given(name=st.sampled_from(NAMES), data=arbitrary_or_mutated(EXPORT_BYTES))
def test_gzip_exports(tmp_path_factory, name, data):
    _load(tmp_path_factory.mktemp("fuzz"), name + ".gz", gzipped(data))


@FUZZ
@given(data=st.binary(max_size=4096))
def test_damaged_gzip(tmp_path_factory, data):
    _load(tmp_path_factory.mktemp("fuzz"), "events.csv.gz", gzipped(b"a,b\n1,2\n")[:20] + data)


SAMPLE_LIST = (PROJECT / "data" / "sample" / "adressen-import.csv").read_bytes()


@FUZZ
@given(data=arbitrary_or_mutated([SAMPLE_LIST, b"email\nanna@gmx.de\n", b"anna@gmx.de\n"]))
def test_address_lists(tmp_path_factory, data):
    from deliverability.validate.check import CheckOptions, check_addresses
    from deliverability.validate.files import read_address_list

    path = tmp_path_factory.mktemp("fuzz") / "liste.csv"
    path.write_bytes(data)
    addresses = guarded(lambda: read_address_list(path))
    if not isinstance(addresses, DeliverabilityError):
        checked = guarded(
            lambda: check_addresses(
                addresses.emails, CheckOptions(dns=False), ragged=addresses.ragged
            )
        )
        assert not isinstance(checked, DeliverabilityError)
        assert checked.height == len(addresses.emails)  # one verdict per row, none lost


SENDS = [
    b"requested_at,message_id,recipient,recipients\n"
    b"2026-11-16T08:00:00+01:00,m1,anna@gmx.de,1\n"
    b"2026-11-16 08:00:05,m2,bernd@web.de,3\n",
    b"requested_at;message_id;recipient\n16.11.2026 08:00;m1;anna@gmx.de\n",
]


@FUZZ
@given(data=arbitrary_or_mutated(SENDS))
def test_sends_files(tmp_path_factory, data):
    from deliverability.limits.sends import read_sends_csv

    path = tmp_path_factory.mktemp("fuzz") / "sends.csv"
    path.write_bytes(data)
    sends = guarded(lambda: read_sends_csv(path, "Europe/Berlin"))
    if not isinstance(sends, DeliverabilityError):
        recipients = sends.frame.get_column("recipients")
        assert recipients.is_null().sum() == 0 and (recipients >= 1).all()
