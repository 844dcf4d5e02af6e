"""Generic CSV loader: formats, encodings, rejects and the accounting identity."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from deliverability.errors import InputError
from deliverability.ingest import load_events
from deliverability.schema import EVENT_SCHEMA

from ..conftest import HEADER


def _accounting_holds(result) -> None:
    for stats in result.files:
        assert stats.loaded + stats.rejected == stats.read
    assert result.events.height + result.rejects.height == result.read


def test_loads_iso_rows_into_the_canonical_schema(write_csv):
    path = write_csv(
        HEADER + "\n"
        "2026-11-23T14:05:00+01:00,<m1@x.de>,vertrieb@x.de,Anna@GMX.de,delivered,,,250,2.0.0,250 OK,crm\n"
        "2026-11-23T13:06:00Z,<m2@x.de>,vertrieb@x.de,bob@web.de,bounced,hard,,550,5.1.1,550 5.1.1 user unknown,crm\n"
    )
    result = load_events([path])
    assert result.events.schema == EVENT_SCHEMA
    first, second = result.events.to_dicts()
    assert first["timestamp"] == datetime(2026, 11, 23, 13, 5, tzinfo=UTC)
    assert first["recipient"] == "Anna@GMX.de"
    assert first["recipient_domain"] == "gmx.de"
    assert first["event"] == "delivered"
    assert first["source_ref"] == "events.csv:2"
    assert second["timestamp"] == datetime(2026, 11, 23, 13, 6, tzinfo=UTC)
    assert second["reason"] == "userunknown"
    assert second["bounce_type"] == "hard"
    assert second["smtp_code"] == 550
    assert second["source_ref"] == "events.csv:3"
    _accounting_holds(result)


def test_german_excel_export_semicolon_cp1252_local_time(write_csv):
    text = (
        HEADER.replace(",", ";") + "\r\n"
        "23.11.2026 14:05;m1;vertrieb@x.de;jürgen@bücher.de;bounced;;;452;4.2.2;"
        "452 4.2.2 Postfach voll;crm\r\n"
        "29.03.2026 03:30:00;m2;vertrieb@x.de;b@b.de;sent;;;;;;crm\r\n"
    )
    path = write_csv(text, "export.csv", encoding="cp1252")
    result = load_events([path])
    rows = result.events.to_dicts()
    # 14:05 CET = 13:05 UTC; 03:30 CEST (after the spring change) = 01:30 UTC
    assert rows[0]["timestamp"] == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert rows[1]["timestamp"] == datetime(2026, 11, 23, 13, 5, tzinfo=UTC)
    assert rows[1]["recipient"] == "jürgen@bücher.de"
    assert rows[1]["recipient_domain"] == "xn--bcher-kva.de"
    assert rows[1]["reason"] == "mailboxfull"
    assert rows[1]["bounce_type"] == "soft"
    assert result.files[0].encoding == "cp1252"
    assert result.files[0].delimiter == ";"
    _accounting_holds(result)


def test_gzip_and_bom_are_read(tmp_path: Path):
    text = "\ufeff" + HEADER + "\n2026-11-23 10:00,m1,a@x.de,c@y.de,sent,,,,,,crm\n"
    path = tmp_path / "events.csv.gz"
    path.write_bytes(gzip.compress(text.encode("utf-8")))
    result = load_events([path])
    assert result.events.height == 1
    assert result.files[0].encoding == "utf-8-sig (gzip)"


BAD_ROWS = [
    ("kaputt,m1,a@x.de,c@y.de,sent,,,,,,crm", "timestamp", "Zeitstempel „kaputt“"),
    ("31.02.2026 10:00,m1,a@x.de,c@y.de,sent,,,,,,crm", "timestamp", "kein gültiger Zeitpunkt"),
    ("2026-03-29 02:30,m1,a@x.de,c@y.de,sent,,,,,,crm", "timestamp", "kein gültiger Zeitpunkt"),
    ("2026-11-23 10:00,m1,a@x.de,,sent,,,,,,crm", "recipient", "Empfängeradresse fehlt"),
    ("2026-11-23 10:00,m1,a@x.de,ohne-at.de,sent,,,,,,crm", "recipient", "kein @"),
    ("2026-11-23 10:00,m1,a@x.de,c@y.de,angekommen,,,,,,crm", "event", "Ereignis „angekommen“"),
    ("2026-11-23 10:00,m1,a@x.de,c@y.de,bounced,sehr,,,,,crm", "bounce_type", "Bounce-Typ"),
    ("2026-11-23 10:00,m1,a@x.de,c@y.de,bounced,,kaputt,,,,crm", "reason", "Grund „kaputt“"),
    ("2026-11-23 10:00,m1,a@x.de,c@y.de,bounced,,,55O,,,crm", "smtp_code", "SMTP-Code „55O“"),
    ("2026-11-23 10:00,m1,a@x.de,c@y.de,bounced,,,,5.1,,crm", "status", "Statuscode „5.1“"),
    ("2026-11-23 10:00,m1,a@x.de,c@y.de,sent,,,,,,crm,zuviel", "(Zeile)", "12 statt 11 Felder"),
    ("2026-11-23 10:00,m1,a@x.de,c@y.de,sent,,,,", "(Zeile)", "9 statt 11 Felder"),
]


@pytest.mark.parametrize(("line", "field", "message"), BAD_ROWS)
def test_bad_rows_are_rejected_with_file_line_field_and_reason(write_csv, line, field, message):
    good = "2026-11-23 09:00,m0,a@x.de,ok@y.de,sent,,,,,,crm"
    path = write_csv(f"{HEADER}\n{good}\n{line}\n{good}\n")
    result = load_events([path])
    assert result.events.height == 2
    reject = result.rejects.to_dicts()
    assert len(reject) == 1
    assert reject[0]["file"] == str(path)
    assert reject[0]["line"] == 3
    assert reject[0]["field"] == field
    assert message in reject[0]["reason"]
    assert reject[0]["raw"] == line
    _accounting_holds(result)


def test_quoted_line_breaks_keep_exact_line_numbers(write_csv):
    path = write_csv(
        HEADER + "\n"
        '2026-11-23 09:00,m1,a@x.de,c@y.de,bounced,,,550,,"550 first line\nsecond line",crm\n'
        "kaputt,m2,a@x.de,c@y.de,sent,,,,,,crm\n"
        "2026-11-23 09:05,m3,a@x.de,d@y.de,sent,,,,,,crm\n"
    )
    result = load_events([path])
    assert result.events.get_column("source_ref").to_list() == ["events.csv:2", "events.csv:5"]
    assert result.rejects.get_column("line").to_list() == [4]
    _accounting_holds(result)


def test_blank_lines_are_skipped_and_counted(write_csv):
    path = write_csv(HEADER + "\n\n2026-11-23 09:00,m1,a@x.de,c@y.de,sent,,,,,,crm\n   \n")
    result = load_events([path])
    assert result.files[0].skipped_blank == 2
    assert result.files[0].read == 1
    _accounting_holds(result)


def test_missing_required_column_names_file_line_and_available_columns(write_csv):
    path = write_csv("zeit,empfaenger,event\n2026-11-23,a@b.de,sent\n")
    with pytest.raises(InputError) as caught:
        load_events([path])
    message = str(caught.value)
    assert str(path) in message
    assert "Zeile 1" in message
    assert "timestamp" in message and "recipient" in message
    assert "Vorhandene Spalten: zeit, empfaenger, event" in message


def test_missing_file_is_a_clear_error(tmp_path: Path):
    with pytest.raises(InputError, match="nicht gefunden"):
        load_events([tmp_path / "fehlt.csv"])


def test_source_values_override_nothing_the_classifier_fills_gaps(write_csv):
    path = write_csv(
        HEADER + "\n"
        "2026-11-23 09:00,m1,a@x.de,c@y.de,bounced,soft,mailboxfull,550,5.1.1,user unknown,esp\n"
    )
    row = load_events([path]).events.to_dicts()[0]
    assert row["reason"] == "mailboxfull"
    assert row["bounce_type"] == "soft"


def test_sample_data_loads_completely():
    from deliverability.config import sample_inputs

    result = load_events(sample_inputs())
    _accounting_holds(result)
    assert result.rejects.height == 3  # the German event word "zugestellt" loads
    assert result.events.height > 60_000
    assert result.events.filter(pl.col("timestamp").is_null()).height == 0


def test_german_headers_and_event_words_load(tmp_path):
    """A CSV as a German tool writes it: German headers, German (and other UI languages')
    event words; an event word that says hard or soft fills an empty bounce type."""
    path = tmp_path / "ereignisse.csv"
    path.write_text(
        "Zeitstempel;Nachrichten-ID;Absender;E-Mail-Adresse;Ereignis;Bounce-Typ;Serverantwort\n"
        "23.11.2026 09:00;m1;info@shop.de;anna@web.de;Versendet;;\n"
        "23.11.2026 09:01;m1;info@shop.de;anna@web.de;Zugestellt;;250 OK\n"
        "23.11.2026 09:02;m2;info@shop.de;bernd@gmx.de;Zurückgewiesen;hart;550 5.1.1 unknown\n"
        "23.11.2026 09:03;m3;info@shop.de;carla@t-online.de;Verzögert;;451 4.7.1 later\n"
        "23.11.2026 09:04;m4;info@shop.de;dora@gmx.de;Hard-Bounce;;550 5.1.1 unknown\n"
        "23.11.2026 09:05;m5;info@shop.de;emil@gmx.de;Geöffnet;;\n"
        "23.11.2026 09:06;m6;info@shop.de;fritz@gmx.de;abgemeldet;;\n"
        "23.11.2026 09:07;m7;info@shop.de;gabi@gmx.de;Spam-Meldung;;\n"
        "23.11.2026 09:08;m8;info@shop.de;hans@libero.it;consegnato;;\n"
        "23.11.2026 09:09;m9;info@shop.de;ines@orange.fr;délivré;;\n"
        "23.11.2026 09:10;m10;info@shop.de;juan@gmail.com;rebotado;soft;452 mailbox full\n",
        encoding="utf-8",
    )
    result = load_events([path])
    _accounting_holds(result)
    assert result.rejects.is_empty()
    events = result.events
    last_event = dict(zip(events["recipient"], events["event"].cast(pl.String), strict=True))
    assert last_event == {
        "anna@web.de": "delivered",  # after "Versendet" (sent); the dict keeps the later one
        "bernd@gmx.de": "bounced",
        "carla@t-online.de": "deferred",
        "dora@gmx.de": "bounced",
        "emil@gmx.de": "opened",
        "fritz@gmx.de": "unsubscribed",
        "gabi@gmx.de": "complained",
        "hans@libero.it": "delivered",
        "ines@orange.fr": "delivered",
        "juan@gmail.com": "bounced",
    }
    assert events.filter(pl.col("recipient") == "anna@web.de")["event"].to_list() == [
        "sent",
        "delivered",
    ]
    by_address = dict(zip(events["recipient"], events["bounce_type"].cast(pl.String), strict=True))
    assert by_address["bernd@gmx.de"] == "hard"  # "hart"
    assert by_address["dora@gmx.de"] == "hard"  # the event word says so
    assert by_address["juan@gmail.com"] == "soft"
    assert set(events["sender"]) == {"info@shop.de"}
    assert events.filter(pl.col("recipient") == "anna@web.de")["diagnostic"].to_list() == [
        None,
        "250 OK",
    ]


def test_an_unknown_german_header_is_named_in_the_error(tmp_path):
    path = tmp_path / "ereignisse.csv"
    path.write_text("Zeitstempel;Adresse;Ereignis\n23.11.2026 09:00;a@web.de;zugestellt\n")
    with pytest.raises(InputError, match="recipient"):
        load_events([path])


WIDE_TEXT = (
    "timestamp;recipient;event;diagnostic\r\n"
    "23.11.2026 09:00;jürgen@gmx.de;delivered;250 OK\r\n"
    "23.11.2026 09:01;anna@web.de;bounced;550 5.1.1 Empfänger unbekannt\r\n"
)


@pytest.mark.parametrize(
    "encoding, shown",
    [
        ("utf-16", "utf-16"),  # with byte-order mark, as Windows writes it
        ("utf-16-le", "utf-16-le"),  # without: Exchange message trace, PowerShell Export-Csv
        ("utf-16-be", "utf-16-be"),
        ("utf-32", "utf-32"),
    ],
)
def test_utf16_and_utf32_files_are_detected_by_mark_and_by_content(tmp_path, encoding, shown):
    path = tmp_path / "ereignisse.csv"
    path.write_bytes(WIDE_TEXT.encode(encoding))
    result = load_events([path])
    _accounting_holds(result)
    assert result.rejects.is_empty()
    assert sorted(result.events["recipient"]) == ["anna@web.de", "jürgen@gmx.de"]
    assert "550 5.1.1 Empfänger unbekannt" in result.events["diagnostic"].to_list()
    assert result.files[0].encoding.startswith(shown)


def test_wide_encoding_leaves_other_text_alone():
    from deliverability.ingest.text import wide_encoding

    assert wide_encoding("a;b\nä;ö\n".encode()) is None
    assert wide_encoding("a;b\nä;ö\n".encode("cp1252")) is None
    assert wide_encoding(b"abc\x00def\nghi\n" * 10) is None  # a stray NUL is no UTF-16
    assert wide_encoding("x;y\n".encode("utf-16-le") * 50) == "utf-16-le"


def test_files_loaded_side_by_side_keep_their_order_and_the_first_error(tmp_path):
    """Files load two at a time: results, accounting and progress stay in the files' order,
    and a bad file stops the run with its own name, not a later file's."""
    rows = "2026-11-23T14:05:00+01:00,<m{n}@x.de>,v@x.de,a{n}@gmx.de,delivered,,,250,2.0.0,OK,crm\n"
    paths = []
    for n in range(5):
        path = tmp_path / f"teil-{n}.csv"
        path.write_text(HEADER + "\n" + rows.format(n=n) * (n + 1), encoding="utf-8")
        paths.append(path)
    seen: list[tuple[int, int, int]] = []
    result = load_events(paths, progress=lambda done, total, read: seen.append((done, total, read)))
    assert [stats.path for stats in result.files] == [str(p) for p in paths]
    assert [stats.read for stats in result.files] == [1, 2, 3, 4, 5]
    assert seen == [(n + 1, 5, n + 1) for n in range(5)]
    (tmp_path / "teil-2.csv").write_text("timestamp;recipient\n", encoding="utf-8")
    (tmp_path / "teil-4.csv").write_text("timestamp;event\n", encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load_events(paths)
    assert "teil-2.csv" in str(raised.value)


def test_an_unknown_event_is_rejected_with_german_words_the_loader_takes(write_csv):
    from deliverability.ingest.generic_csv import GERMAN_EVENT_EXAMPLES

    path = write_csv(
        HEADER + "\n"
        "2026-11-23T14:05:00+01:00,<m1@x.de>,vertrieb@x.de,anna@gmx.de,zugestellt,,,,,,crm\n"
        "2026-11-23T14:06:00+01:00,<m2@x.de>,vertrieb@x.de,bob@web.de,angekommen,,,,,,crm\n"
    )
    result = load_events([path])
    assert result.events.get_column("event").to_list() == ["delivered"]
    (reason,) = result.rejects.get_column("reason").to_list()
    assert reason.startswith("Ereignis „angekommen“ ist unbekannt; erlaubt sind deutsche Wörter")
    # every word the message names is one the loader takes
    for word in GERMAN_EVENT_EXAMPLES.split(", "):
        taken = write_csv(
            HEADER + f"\n2026-11-23T14:05:00+01:00,<m@x.de>,v@x.de,a@gmx.de,{word},,,,,,crm\n",
            name=f"{word}.csv",
        )
        assert load_events([taken]).events.height == 1, word
    _accounting_holds(result)


@pytest.mark.parametrize(
    "command",
    [
        ["load", "{fifo}", "--out", "{tmp}/x.parquet"],
        ["rates", "{fifo}", "--out", "{tmp}/r.csv"],
        ["weekly", "{fifo}", "--out", "{tmp}/woche"],
        ["classify", "{fifo}"],
        ["report", "--input", "{fifo}", "--out", "{tmp}/berichte"],
    ],
)
def test_a_pipe_as_input_is_refused_at_once_not_waited_for(command, tmp_path, capsys):
    """A FIFO would block the run until something writes to it (issue 19, item 7)."""
    import os

    from deliverability.cli import main

    fifo = tmp_path / "export.csv"
    os.mkfifo(fifo)
    args = [part.format(fifo=fifo, tmp=tmp_path) for part in command]
    assert main(args) == 1
    error = capsys.readouterr().err
    assert "keine gewöhnliche Datei" in error and str(fifo) in error
    assert "Traceback" not in error


def test_a_quote_left_open_swallows_no_following_rows(write_csv):
    path = write_csv(
        "timestamp,recipient,event,diagnostic\n"
        '2026-11-16T08:00:00Z,"anna@gmx.de,sent,\n'
        "2026-11-16T08:00:01Z,bernd@web.de,sent,\n"
        '2026-11-16T08:00:02Z,carla@web.de,bounced,"550 5.1.1\nunknown user"\n'  # kept
        "2026-11-16T08:00:03Z,dora@web.de,sent,\n"
    )
    result = load_events([path])
    assert result.events.get_column("recipient").to_list() == [
        "bernd@web.de",
        "carla@web.de",
        "dora@web.de",
    ]
    assert result.events.get_column("diagnostic").to_list()[1] == "550 5.1.1\nunknown user"
    rejected = result.rejects.row(0, named=True)
    assert result.rejects.height == 1 and rejected["line"] == 2
    assert "Anführungszeichen wird nicht geschlossen" in rejected["reason"]
    assert result.files[0].balanced and result.files[0].read == 4


def test_two_columns_for_one_field_are_an_error_not_a_guess(write_csv):
    path = write_csv(
        "timestamp,recipient,event,E-Mail\n2026-11-16T08:00:00Z,anna@gmx.de,sent,bernd@web.de\n"
    )
    with pytest.raises(InputError) as caught:
        load_events([path])
    assert caught.value.line == 1 and caught.value.field == "E-Mail"
    assert "„recipient“ (Spalte 2) und „E-Mail“ (Spalte 4) meinen beide" in str(caught.value)


def test_an_error_in_a_converted_copy_names_the_analysts_file(tmp_path):
    path = tmp_path / "liste.csv"
    path.write_bytes("Vorname;E-Mail\nJürgen;j@gmx.de\n".encode("cp1252"))
    with pytest.raises(InputError) as caught:
        load_events([path], format="generic_csv")
    assert caught.value.path == str(path)


def _exports_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "exporte"
    (folder / "unter").mkdir(parents=True)
    (folder / "a.csv").write_text(
        f"{HEADER}\n2026-11-16T08:00:00Z,m1,s@firma.de,anna@gmx.de,delivered,,,,,,crm\n"
    )
    (folder / "unter" / "b.csv.gz").write_bytes(
        gzip.compress(
            f"{HEADER}\n2026-11-16T08:00:01Z,m2,s@firma.de,bernd@web.de,delivered,,,,,,crm\n".encode()
        )
    )
    (folder / ".versteckt.csv").write_text("kein Export\n")
    mail = (Path(__file__).parent.parent / "fixtures" / "bounces" / "gmail.eml").read_bytes()
    (folder / "bounce.eml").write_bytes(mail)
    return folder


def test_a_folder_of_exports_is_read_in_full_like_its_files(tmp_path):
    folder = _exports_folder(tmp_path)
    from_folder = load_events([folder])
    one_by_one = load_events(
        [folder / "a.csv", folder / "bounce.eml", folder / "unter" / "b.csv.gz"]
    )
    assert [f.path for f in from_folder.files] == [f.path for f in one_by_one.files]
    assert from_folder.events.equals(one_by_one.events)
    assert {"anna@gmx.de", "bernd@web.de"} <= set(from_folder.events.get_column("recipient"))
    assert from_folder.events.filter(pl.col("event") == "bounced").height >= 1


def test_a_folder_of_mails_stays_one_bounce_source(tmp_path):
    folder = tmp_path / "bounces"
    folder.mkdir()
    for path in sorted((Path(__file__).parent.parent / "fixtures" / "bounces").glob("*.eml"))[:4]:
        (folder / path.name).write_bytes(path.read_bytes())
    result = load_events([folder])
    assert [f.path for f in result.files] == [str(folder)]
    assert result.files[0].read >= 4


def test_a_file_in_a_folder_that_is_no_export_is_named(tmp_path):
    folder = _exports_folder(tmp_path)
    (folder / "adressen.csv").write_text("Vorname;E-Mail\nAnna;anna@gmx.de\n")
    with pytest.raises(InputError) as caught:
        load_events([folder])
    assert caught.value.path == str(folder / "adressen.csv")


def test_a_mapped_column_that_appears_twice_is_an_error(tmp_path):
    fixture = Path(__file__).parent.parent / "fixtures" / "formats" / "mailchimp-cleaned.csv"
    header, rest = fixture.read_text(encoding="utf-8").split("\n", 1)
    path = tmp_path / "cleaned.csv"
    path.write_text(header + ",CLEAN_TIME\n" + rest, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_events([path], format="mapping:mailchimp-cleaned")
    assert caught.value.field == "CLEAN_TIME" and "2-mal" in str(caught.value)


def test_a_quote_left_open_in_a_mapped_export_rejects_only_its_line(tmp_path):
    fixture = Path(__file__).parent.parent / "fixtures" / "formats" / "mailchimp-cleaned.csv"
    header, first, *rest = fixture.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "cleaned.csv"
    path.write_text("\n".join([header, first.replace(",", ',"', 1), first, *rest]) + "\n")
    result = load_events([path], format="mapping:mailchimp-cleaned")
    whole = load_events([fixture], format="mapping:mailchimp-cleaned")
    assert result.events.height == whole.events.height  # the copy of line 2 stands in for it
    assert result.rejects.height == whole.rejects.height + 1
    assert "Anführungszeichen wird nicht geschlossen" in result.rejects["reason"][0]


ODD_RECIPIENTS = [
    ("carla@web.de\nmit Umbruch", "Zeilenumbruch oder ein anderes Steuerzeichen"),
    ("carla@web.de\tx", "Zeilenumbruch oder ein anderes Steuerzeichen"),
    ("car\x01la@web.de", "Zeilenumbruch oder ein anderes Steuerzeichen"),
    ("carla@web .de", "enthält ein Leerzeichen"),
    ("carla meyer@web.de", "enthält ein Leerzeichen"),
]


def _generic(tmp_path: Path, recipient: str) -> Path:
    quoted = '"' + recipient.replace('"', '""') + '"'
    path = tmp_path / "events.csv"
    path.write_text(
        "timestamp,recipient,event\n"
        f"2026-11-23T10:00:00+01:00,{quoted},bounced\n"
        '2026-11-23T10:00:00+01:00,"""Erika Muster""@web.de",delivered\n'
        "2026-11-23T10:00:00+01:00,ok@web.de,delivered\n",
        encoding="utf-8",
    )
    return path


def _sendgrid(tmp_path: Path, recipient: str) -> Path:
    import json

    path = tmp_path / "sendgrid.json"
    events = [
        {"email": recipient, "timestamp": 1794906000, "event": "bounce", "sg_event_id": "1"},
        {"email": '"Erika Muster"@web.de', "timestamp": 1794906000, "event": "delivered",
         "sg_event_id": "2"},
        {"email": "ok@web.de", "timestamp": 1794906000, "event": "delivered", "sg_event_id": "3"},
    ]  # fmt: skip
    path.write_text(json.dumps(events), encoding="utf-8")
    return path


@pytest.mark.parametrize(("recipient", "words"), ODD_RECIPIENTS)
@pytest.mark.parametrize("export", [_generic, _sendgrid])
def test_a_recipient_no_address_can_be_is_rejected_by_every_loader(
    tmp_path, export, recipient, words
):
    from types import SimpleNamespace

    from deliverability.ingest.fast_csv import load_generic_csv_fast
    from deliverability.ingest.generic_csv import load_generic_csv

    path = export(tmp_path, recipient)
    loads = [load_events([path])]
    if export is _generic:  # the eager and the streaming CSV path alike
        for loader in (load_generic_csv, load_generic_csv_fast):
            loaded = loader(path, timezone="Europe/Berlin")
            if loaded is not None:
                loads.append(SimpleNamespace(events=loaded[0], rejects=loaded[1]))
    for result in loads:
        assert sorted(result.events.get_column("recipient").to_list()) == [
            '"Erika Muster"@web.de',
            "ok@web.de",
        ]
        (reason,) = result.rejects.get_column("reason").to_list()
        assert words in reason
        assert result.rejects.get_column("field").to_list() == ["recipient"]
