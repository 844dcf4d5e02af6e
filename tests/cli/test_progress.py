"""Progress on a terminal: German, on stderr, silent for cron and pipes."""

from __future__ import annotations

import io

from deliverability.cli.progress import progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_silent_when_not_on_a_terminal():
    stream = io.StringIO()
    with progress("Lade Ereignisse", "Dateien", "Einträge", stream=stream) as advance:
        advance(1, 2, 1000)
        advance(2, 2, 500)
    assert stream.getvalue() == ""


def test_on_a_terminal_it_counts_files_and_entries_in_german():
    stream = _Terminal()
    with progress("Lade Ereignisse", "Dateien", "Einträge", stream=stream) as advance:
        advance(1, 4, 1_000_000)
        advance(2, 4, 234_567)
    shown = stream.getvalue()
    assert "Lade Ereignisse" in shown
    assert "2/4 Dateien" in shown
    assert "1.234.567 Einträge" in shown and "Einträge/s" in shown
    assert "noch" in shown


def test_a_load_reports_each_file(tmp_path, write_csv):
    from deliverability.ingest import load_events

    files = [
        write_csv(
            f"timestamp,message_id,recipient,event\n2026-11-23T10:0{k}:00+01:00,m{k},a{k}@web.de,sent\n",
            f"e{k}.csv",
        )
        for k in range(3)
    ]
    seen: list[tuple[int, int, int]] = []
    load_events(files, progress=lambda done, total, read: seen.append((done, total, read)))
    assert seen == [(1, 3, 1), (2, 3, 1), (3, 3, 1)]
