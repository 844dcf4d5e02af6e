"""The bounce parser on arbitrary bytes and on damaged real-looking bounce mails: a verdict,
"keine Bounce-Mail" or "nicht lesbar" — never a traceback or a hang."""

from __future__ import annotations

import json

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from deliverability.bounces.records import render_mail
from deliverability.bounces.sources import RawMail, mails_of
from deliverability.bounces.verdict import VERDICT_FIELDS
from deliverability.errors import DeliverabilityError

from ..fuzzing import FIXTURES, FUZZ, arbitrary_or_mutated, guarded, gzipped

pytestmark = pytest.mark.fuzz

MAILS = [path.read_bytes() for path in sorted((FIXTURES / "bounces").glob("*.eml"))]


@FUZZ
@given(data=arbitrary_or_mutated(MAILS), fmt=st.sampled_from(["json", "csv"]))
@example(data=b"Subject:=?\x80?Q??=", fmt="json")  # found by this suite: unknown charset
def test_one_mail(data, fmt):
    rendered = guarded(lambda: render_mail(RawMail("fuzz.eml", data), fmt))
    assert not isinstance(rendered, DeliverabilityError)  # a mail is judged, never refused
    assert bool(rendered.lines) != bool(rendered.skipped)
    if fmt == "json":
        for line in rendered.lines:
            assert set(json.loads(line)) == set(VERDICT_FIELDS)


@FUZZ
@given(
    mails=st.lists(arbitrary_or_mutated(MAILS), min_size=1, max_size=3),
    packed=st.booleans(),
)
def test_mbox_files(tmp_path_factory, mails, packed):
    mbox = b"".join(b"From MAILER-DAEMON Mon Nov 16 08:00:00 2026\n" + m + b"\n" for m in mails)
    path = tmp_path_factory.mktemp("fuzz") / ("bounces.mbox.gz" if packed else "bounces.mbox")
    path.write_bytes(gzipped(mbox) if packed else mbox)
    found = guarded(lambda: mails_of(path))
    if not isinstance(found, DeliverabilityError):
        for mail in found:
            assert not isinstance(
                guarded(lambda m=mail: render_mail(m, "json")), DeliverabilityError
            )
