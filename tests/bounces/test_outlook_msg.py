"""Bounce notices saved from Outlook as `.msg` (issue 17): read by `classify`, `load` and
every loader like an `.eml`; a broken `.msg` is one German sentence naming the file.

`ndr-german.msg` is built by `tests/fixtures/outlook/make_msg.js` from Microsoft's
[MS-OXMSG] format and the text of an Exchange Online non-delivery report."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from deliverability.cli import main
from deliverability.errors import InputError
from deliverability.ingest import load_events
from deliverability.ingest.registry import detect_format

OUTLOOK = Path(__file__).parents[1] / "fixtures" / "outlook"
BOUNCES = Path(__file__).parents[1] / "fixtures" / "bounces"


def test_classify_reads_an_outlook_msg_like_an_eml(capsys):
    assert main(["classify", str(OUTLOOK / "ndr-german.msg")]) == 0
    (record,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert (record["recipient"], record["reason"], record["bounce_type"]) == (
        "ghost@kunde.example",
        "userunknown",
        "hard",
    )
    assert record["status"] == "5.1.1"


def test_a_folder_of_msg_and_eml_files_loads_as_bounce_mails(tmp_path):
    folder = tmp_path / "Unzustellbar"
    folder.mkdir()
    shutil.copy(OUTLOOK / "ndr-german.msg", folder / "Unzustellbar Angebot KW 48.msg")
    shutil.copy(BOUNCES / "gmail.eml", folder / "gmail.eml")
    renamed = tmp_path / "bounce.dat"  # detection by content, not by name
    shutil.copy(OUTLOOK / "ndr-german.msg", renamed)
    assert detect_format(renamed) == "bounce_mails"
    result = load_events([folder])
    assert result.files[0].balanced and result.rejects.height == 0
    outlook = result.events.filter(result.events["recipient"] == "ghost@kunde.example")
    assert outlook["event"].cast(str).to_list() == ["bounced"]
    assert str(outlook["timestamp"][0]) == "2026-11-23 09:15:04+00:00"  # the NDR's Date


@pytest.mark.parametrize("cut", [512, 3000])
def test_a_truncated_msg_is_one_german_sentence(cut, tmp_path, capsys):
    broken = tmp_path / "kaputt.msg"
    broken.write_bytes((OUTLOOK / "ndr-german.msg").read_bytes()[:cut])
    with pytest.raises(InputError, match=r"kaputt\.msg.*Outlook-Datei \(\.msg\) ist nicht lesbar"):
        load_events([broken])
    assert main(["classify", str(broken)]) == 1
    err = capsys.readouterr().err
    assert "Outlook-Datei" in err and "Traceback" not in err
