"""End to end: the weekly report notebook under papermill on a slice of the sample data.

The figures in the rendered report are checked against figures computed here independently,
with the csv module and plain Python, from the same input rows.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from deliverability.config import sample_inputs
from deliverability.report.runner import run_weekly_report
from deliverability.views import format as fmt

BERLIN = ZoneInfo("Europe/Berlin")
SLICE_DOMAINS = {"t-online.de", "nordwerk-logistik.de", "gmx.de", "gmial.com", "posteo.de"}
ATTEMPTS = {"sent", "delivered", "deferred", "bounced"}


def _parse(stamp: str) -> datetime:
    if "T" in stamp:
        return datetime.fromisoformat(stamp)
    return datetime.strptime(stamp, "%d.%m.%Y %H:%M:%S").replace(tzinfo=BERLIN)


def _sample_slice(tmp_path: Path) -> tuple[Path, list[dict[str, str]]]:
    """Rows of W46 and W47 for a few domains, as one UTF-8 CSV file."""
    rows: list[dict[str, str]] = []
    for path in sample_inputs()[-2:]:
        raw = gzip.decompress(path.read_bytes())
        text = raw.decode("utf-8") if b";" not in raw.split(b"\n", 1)[0] else raw.decode("cp1252")
        delimiter = ";" if ";" in text.split("\n", 1)[0] else ","
        for row in csv.DictReader(io.StringIO(text), delimiter=delimiter):
            domain = (row["recipient"] or "").rsplit("@", 1)[-1].lower()
            if domain in SLICE_DOMAINS and row["event"] in {
                "sent",
                "delivered",
                "deferred",
                "bounced",
                "complained",
                "opened",
            }:
                try:
                    row["timestamp"] = _parse(row["timestamp"]).isoformat()
                except ValueError:
                    continue
                rows.append(row)
    target = tmp_path / "slice.csv"
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return target, rows


def _row(html: str, label: str) -> list[str]:
    """The cell texts of the table row that starts with `label`."""
    match = re.search(r"<tr>\s*<td[^>]*>" + re.escape(label) + r"</td>(.*?)</tr>", html, re.S)
    assert match, f"Zeile {label} fehlt im Bericht"
    return re.findall(r"<td[^>]*>(.*?)</td>", match.group(1), re.S)


def _expected(rows: list[dict[str, str]], week: str) -> dict[str, int]:
    """Messages whose first event is in `week`, with their final outcome (independent code)."""
    by_message: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        by_message[(row["message_id"], row["recipient"])].append(row)
    figures = {"sent": 0, "delivered": 0, "hard": 0, "soft": 0}
    for events in by_message.values():
        first = min(_parse(e["timestamp"]) for e in events)
        iso = first.astimezone(BERLIN).isocalendar()
        if f"{iso.year}-W{iso.week:02d}" != week:
            continue
        kinds = {e["event"] for e in events}
        if not kinds & ATTEMPTS:
            continue
        figures["sent"] += 1
        bounce_types = {e["bounce_type"] for e in events if e["event"] == "bounced"}
        if "delivered" in kinds:
            figures["delivered"] += 1
        elif "hard" in bounce_types:
            figures["hard"] += 1
        elif "soft" in bounce_types:
            figures["soft"] += 1
    return figures


@pytest.mark.slow
def test_weekly_report_notebook_end_to_end(tmp_path: Path):
    source, rows = _sample_slice(tmp_path)
    steps: list[tuple[int, int]] = []
    result = run_weekly_report(
        [source], None, tmp_path / "reports", progress=lambda *step: steps.append(step)
    )

    assert result.week == "2026-W47"
    # the terminal's progress line: one step per cell, up to all of them
    assert [done for done, _ in steps] == list(range(1, len(steps) + 1))
    assert steps[-1][0] == steps[-1][1] > 10
    folder = tmp_path / "reports" / "2026-W47"
    assert result.html == folder / "wochenbericht.html"
    assert result.executed.is_file()
    html = result.html.read_text(encoding="utf-8")

    expected = _expected(rows, "2026-W47")
    before = _expected(rows, "2026-W46")
    assert expected["sent"] > 500  # the slice is not trivial
    assert _row(html, "Versendet")[:2] == [fmt.number(expected["sent"]), fmt.number(before["sent"])]
    assert _row(html, "Zugestellt")[:2] == [
        fmt.number(expected["delivered"]),
        fmt.number(before["delivered"]),
    ]
    assert _row(html, "Bounce-Rate hart")[:2] == [
        fmt.percent(expected["hard"] / expected["sent"]),
        fmt.percent(before["hard"] / before["sent"]),
    ]
    assert _row(html, "Bounce-Rate weich")[0] == fmt.percent(expected["soft"] / expected["sent"])

    # the outage and the typo domain are explained in German, with German dates
    assert "nordwerk-logistik.de: Empfangsserver gestört" in html
    assert "17.11.2026" in html
    assert "gmial.com" in html
    assert "Was können Sie tun?" in html
    assert "Versandlimits" in html
    assert "Versendet ist nicht zugestellt" in html and "Zustellrate" in html
    # charts are embedded, no code and no English default texts
    assert html.count("data:image/png;base64") >= 3
    assert "import deliverability" not in html and "build_weekly_report" not in html
    assert 'lang="de"' in html
    # the notebook's explorer and slider are for JupyterLab: the report has no widgets
    assert "Gescheiterte Mails erkunden" not in html and "widget-view" not in html

    # every figure traces back to input lines
    assert "slice.csv:" in html

    # suppression CSV: the typo domain's addresses are on it, T-Online's blocked ones are not
    with result.suppression_csv.open(encoding="utf-8") as handle:
        suppressed = list(csv.DictReader(handle))
    emails = {row["email"].lower() for row in suppressed}
    hard_unknown = {
        r["recipient"].lower()
        for r in rows
        if r["event"] == "bounced" and r["recipient"].lower().endswith("@gmial.com")
    }
    assert hard_unknown and hard_unknown <= emails
    assert not any(e.endswith("@t-online.de") and "bad reputation" in e for e in emails)
    assert list(suppressed[0]) == [
        "email",
        "status",
        "reason",
        "bounce_type",
        "first_seen",
        "last_seen",
        "events",
        "source",
    ]

    # the workbook is written beside the HTML, one sheet per table
    import openpyxl

    book = openpyxl.load_workbook(folder / "wochenbericht.xlsx")
    assert book.sheetnames[:3] == ["Kennzahlen", "Anbieter", "Domains"]
    figures = {row[0]: row[1] for row in book["Kennzahlen"].iter_rows(min_row=2, values_only=True)}
    assert figures["versendet"] == expected["sent"]

    # severity is a word on a badge, not an emoji; numbers are right-aligned and do not wrap
    assert '<span class="stufe stufe-warnung">Warnung</span>' in html
    assert not re.search("[\U0001f300-\U0001faff]", html)
    assert f'<td class="zahl">{fmt.number(expected["sent"])}</td>' in html
    assert '<td class="text">Versendet</td>' in html

    _check_pdf(result.pdf, folder, expected)
    _check_words(html)

    # the inputs are read once, in the kernel: the job learns the week from its manifest
    assert result.executed == folder / "wochenbericht.ipynb"
    assert not list((tmp_path / "reports").glob(".wochenbericht-*"))  # nothing left behind
    assert result.rejected == 0 and result.suppressed > 0


def _check_words(html: str) -> None:
    """What the report shows uses the glossary's words and no codes: no reason ids, no
    outcome or event names (code in backticks, e.g. an option, may stay)."""
    from deliverability.glossary import forbidden_words
    from deliverability.outcomes import OUTCOMES
    from deliverability.taxonomy import REASON_IDS

    body = html.split("<body", 1)[1]
    body = re.sub(r"<(style|script)\b.*?</\1>|<code>.*?</code>", " ", body, flags=re.S)
    shown = re.sub(r"<[^>]+>", " ", body)
    assert forbidden_words(shown) == []
    codes = (set(REASON_IDS) | set(OUTCOMES) | {"bounced", "deferred", "queued", "sent"}) - {
        "other"
    }
    found = sorted(code for code in codes if re.search(rf"(?<![\w.@-]){code}(?![\w.@-])", shown))
    assert not found, found


def _check_pdf(pdf: Path, folder: Path, expected: dict[str, int]) -> None:
    """The PDF beside the HTML: A4 pages, numbered, with the report's text and charts, and
    nothing cut off at the page's right edge."""
    import pypdfium2 as pdfium

    assert pdf == folder / "wochenbericht.pdf"
    document = pdfium.PdfDocument(pdf)
    pages = len(document)
    assert pages >= 3
    text = ""
    images = 0
    for number in range(pages):
        page = document[number]
        width, height = page.get_size()
        assert (round(width), round(height)) == (595, 842)  # A4 in points
        content = page.get_textpage()
        page_text = content.get_text_range()
        assert f"Seite {number + 1} von {pages}" in page_text
        right_edge = max(content.get_charbox(i)[2] for i in range(content.count_chars()))
        assert right_edge <= width - 10, f"Seite {number + 1}: Text ragt über den Rand"
        images += sum(1 for _ in page.get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_IMAGE]))
        text += page_text + "\n"
    flat = " ".join(text.split())
    assert "Wochenbericht Zustellbarkeit – KW 47/2026" in flat
    assert f"Versendet {fmt.number(expected['sent'])}" in flat
    assert "nordwerk-logistik.de: Empfangsserver gestört" in flat
    assert "Warnung" in flat and "Was können Sie tun?" in flat
    assert "Die letzten zwölf Wochen" in flat and "Betroffen:" in flat
    assert images >= 3  # the charts


@pytest.mark.slow
def test_unknown_week_is_a_german_error(tmp_path: Path):
    from deliverability.errors import ConfigError

    source, _ = _sample_slice(tmp_path)
    with pytest.raises(ConfigError, match="Für die Woche 2026-W30 gibt es keine Daten"):
        run_weekly_report([source], "2026-W30", tmp_path / "reports")


@pytest.mark.slow
def test_report_applies_the_analysts_rules(tmp_path: Path):
    """--rules reaches the report's kernel: GMX/WEB.DE's "mailbox unavailable" declared a
    block by the analyst suppresses none of those addresses."""
    source, rows = _sample_slice(tmp_path)
    unavailable = {
        row["recipient"].lower()
        for row in rows
        if "mailbox unavailable" in (row.get("diagnostic") or "").lower()
    }
    assert unavailable
    plain = run_weekly_report([source], "2026-W47", tmp_path / "ohne")
    rules = tmp_path / "regeln.csv"
    rules.write_text(
        "reason;pattern;bounce_type;source\nblocked;mailbox unavailable;soft;Test\n",
        encoding="utf-8",
    )
    own = run_weekly_report([source], "2026-W47", tmp_path / "mit", rules_file=rules)

    def suppressed(path: Path) -> set[str]:
        text = path.read_text(encoding="utf-8-sig")
        delimiter = ";" if ";" in text.split("\n", 1)[0] else ","
        reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
        key = next(
            name
            for name in reader.fieldnames or []
            if "mail" in name.lower() or "adresse" in name.lower()
        )
        return {row[key].lower() for row in reader}

    before, after = suppressed(plain.suppression_csv), suppressed(own.suppression_csv)
    assert unavailable & before
    assert not unavailable & after
    assert after < before


@pytest.mark.slow
def test_scheduled_report_reads_the_settings_not_the_notebook(tmp_path: Path):
    """The report runs the package's template with the settings file in force; thresholds in
    a notebook cannot change it."""
    source, _ = _sample_slice(tmp_path)
    plain = run_weekly_report([source], "2026-W47", tmp_path / "standard")
    settings = tmp_path / "deliverability.toml"
    settings.write_text("[report]\ncomplaint_warn = 0.5\n", encoding="utf-8")
    relaxed = run_weekly_report([source], "2026-W47", tmp_path / "locker", settings_file=settings)
    assert "Beschwerderate erhöht" in plain.html.read_text(encoding="utf-8")
    assert "Beschwerderate erhöht" not in relaxed.html.read_text(encoding="utf-8")
    injected = json.loads(relaxed.executed.read_text(encoding="utf-8"))["cells"]
    parameters = next(c for c in injected if "injected-parameters" in c["metadata"].get("tags", []))
    assert str(settings.resolve()) in "".join(parameters["source"])
