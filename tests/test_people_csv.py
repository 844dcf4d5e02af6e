"""CSV files for people: the German Excel form by default, the machine form on request."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest

from deliverability.cli import main
from deliverability.config import sample_inputs
from deliverability.limits.replay import RESULT_COLUMNS
from deliverability.people_csv import for_excel, table_words, write_people_csv
from deliverability.schema import REJECTS_SCHEMA
from deliverability.views.limits import DAY_COLUMNS

BOM = b"\xef\xbb\xbf"


def _rates(tmp_path, form: str) -> bytes:
    out = tmp_path / f"raten-{form}.csv"
    args = ["rates", *map(str, sample_inputs()), "--by", "domain", "--out", str(out)]
    assert main([*args, "--csv", form]) == 0
    return out.read_bytes()


def test_rates_open_in_german_excel_and_scripts_keep_the_machine_form(tmp_path):
    excel, standard = _rates(tmp_path, "excel"), _rates(tmp_path, "standard")
    assert excel.startswith(BOM) and not standard.startswith(BOM)
    german = pl.read_csv(excel[3:], separator=";", decimal_comma=True, infer_schema_length=None)
    machine = pl.read_csv(standard)
    assert german.columns[:4] == ["Kalenderwoche", "Domain", "angefordert", "versendet"]
    assert "Bounce-Rate (%)" in german.columns and "Zustellrate (%)" in german.columns
    assert set(german["Kalenderwoche"]) == {"KW 47/2026"}
    assert set(machine["week"]) == {"2026-W47"}
    assert german.height == machine.height
    # the same figures: shares as percent with two decimals, counts as they are
    assert german["versendet"].to_list() == machine["sent"].to_list()
    percent = (machine["bounce_rate"] * 100).round(2)
    assert german["Bounce-Rate (%)"].to_list() == pytest.approx(percent.to_list(), abs=1e-9)
    # no raw float with a point anywhere in the German file
    text = excel.decode("utf-8")
    assert "0.1" not in text and ",0.0" not in text
    header = text.splitlines()[0]
    assert "_" not in header  # no English column id left


def test_every_column_of_the_outputs_for_people_has_a_german_header(tmp_path):
    shared = table_words()
    replay = table_words("replay")
    validation = table_words("validation")
    for by in ("domain", "provider"):
        out = tmp_path / f"{by}.csv"
        args = ["rates", *map(str, sample_inputs()), "--by", by, "--out", str(out)]
        assert main([*args, "--csv", "standard"]) == 0
        header = out.read_text(encoding="utf-8").splitlines()[0].split(",")
        assert [c for c in header if c not in shared.columns] == []
    assert all(c in shared.columns for c in REJECTS_SCHEMA)
    assert all(c in replay.columns for c in (*RESULT_COLUMNS, *DAY_COLUMNS))
    assert all(c in validation.columns for c in ("status", "reason_text", "suggestion"))
    assert validation.drop == ("reason",)
    words = [*shared.columns.values(), *replay.columns.values(), *validation.columns.values()]
    assert all(word and "_" not in word for word in words)


def test_times_are_local_and_values_are_words(tmp_path):
    sends = pl.DataFrame(
        {
            "message_id": ["<1@x.de>", "<2@x.de>"],
            "recipient": ["=a@gmx.de", "b@web.de"],
            "requested_at": [datetime(2026, 11, 23, 8, 0, tzinfo=UTC)] * 2,
            "sent_at": [datetime(2026, 11, 23, 8, 30, tzinfo=UTC), None],
            "outcome": ["delayed", "blocked"],
            "delay_s": [1800, None],
            "rule": ["100 je Stunde", None],
        }
    )
    german = for_excel(sends, "Europe/Berlin", "replay")
    assert german.columns == [
        "Nachrichtenkennung",
        "Empfängeradresse",
        "angefordert um",
        "versendet um",
        "Ergebnis",
        "Verzögerung (Sekunden)",
        "Limitregel",
    ]
    assert german["angefordert um"].to_list() == ["23.11.2026 09:00:00"] * 2
    assert german["Ergebnis"].to_list() == ["verzögert", "Konto gesperrt"]
    path = write_people_csv(sends, tmp_path / "s.csv", timezone="Europe/Berlin", table="replay")
    text = path.read_text(encoding="utf-8-sig")
    assert "'=a@gmx.de" in text  # a cell that would start a formula is neutralized
    standard = write_people_csv(
        sends, tmp_path / "m.csv", form="standard", timezone="Europe/Berlin", table="replay"
    )
    rows = standard.read_text(encoding="utf-8").splitlines()
    assert rows[0] == ",".join(RESULT_COLUMNS)
    assert "2026-11-23T09:00:00+01:00,2026-11-23T09:30:00+01:00,delayed,1800" in rows[1]
