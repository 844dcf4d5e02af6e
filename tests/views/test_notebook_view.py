"""What every notebook starts with: German errors, interactive tables, plain parameters."""

from __future__ import annotations

import json

import nbformat
import pandas as pd
import papermill
import pytest

from deliverability.views import notebook


def test_input_paths_take_one_path_several_or_a_list():
    assert notebook.input_paths("") == []
    assert notebook.input_paths(r"C:\Users\anna\Exporte") == [r"C:\Users\anna\Exporte"]
    assert notebook.input_paths(r"C:\a.csv; D:\b.csv;") == [r"C:\a.csv", r"D:\b.csv"]
    assert notebook.input_paths(["x.csv", " "]) == ["x.csv"]


def test_tables_are_interactive_with_german_labels_and_safe_downloads(monkeypatch):
    monkeypatch.delenv(notebook.STATIC_ENV, raising=False)
    frame = pd.DataFrame(
        {"Domain": ["web.de", "gmx.de"], "Mails": ["1.234", "99"], "Tag": ["17.11.2026", "2.1"]}
    )
    html = notebook.table_html(frame, "mails-je-domain")
    assert "Zeilen _START_ bis _END_ von _TOTAL_" in html and "Suchen:" in html
    assert '"fieldSeparator": ";"' in html and '"bom": true' in html
    assert '"title": "mails-je-domain"' in html
    assert '"exportOptions", "format", "body"' in html  # formula cells neutralised
    kinds = {d["className"]: d["targets"] for d in notebook._column_defs(frame)}
    assert kinds == {"dt-right": [1], "dt-left": [0, 2]}


def test_the_report_gets_plain_tables(monkeypatch):
    monkeypatch.setenv(notebook.STATIC_ENV, "1")
    html = notebook.table_html(pd.DataFrame({"Domain": ["<b>web.de</b>"]}), "x")
    assert "<table" in html and "DataTable" not in html and "&lt;b&gt;" in html


def test_an_error_of_the_family_is_one_german_sentence_without_traceback(tmp_path):
    cells = [
        "from deliverability.views.notebook import start\nstart()",
        "from deliverability.errors import InputError\n"
        "raise InputError('Die Spalte fehlt.', path='liste.csv', line=3, field='email')",
        "print('nicht erreicht')",
    ]
    source = tmp_path / "fehler.ipynb"
    book = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    book.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(book, source)
    with pytest.raises(papermill.PapermillExecutionError):
        papermill.execute_notebook(
            str(source), str(tmp_path / "out.ipynb"), progress_bar=False, log_output=False
        )
    executed = json.loads((tmp_path / "out.ipynb").read_text())
    outputs = [o for cell in executed["cells"] for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o["output_type"] == "error"]
    shown = "".join("".join(o.get("data", {}).get("text/html", "")) for o in outputs)
    assert "Fehler:</strong> Datei liste.csv, Zeile 3, Feld „email“: Die Spalte fehlt." in shown
    assert "Traceback" not in json.dumps(outputs) and "nicht erreicht" not in json.dumps(outputs)


class _Screen:
    """Stands in for IPython's display: what was shown, and what each handle shows now."""

    def __init__(self) -> None:
        self.shown: list[object] = []

    def __call__(self, item: object, display_id: bool = False) -> _Screen | None:
        self.shown.append(item)
        return self if display_id else None

    def update(self, item: object) -> None:
        self.shown.append(item)

    def last_html(self) -> str:
        return next(i.data for i in reversed(self.shown) if hasattr(i, "data"))

    def widgets(self) -> list:
        box = next(i for i in self.shown if hasattr(i, "children"))
        return list(box.children)


def _domains_over_threshold(rates: pd.DataFrame, **options: object) -> None:
    """The domains' warning-threshold table as the weekly notebook shows it (5 %)."""
    notebook.threshold_table(
        lambda warn: rates[rates["rate"] >= warn],
        "domains",
        label="Warnschwelle",
        value=0.05,
        low=0.01,
        high=0.2,
        step=0.01,
        empty="Keine Domain liegt über der Warnschwelle.",
        **options,
    )


def test_a_threshold_slider_changes_the_table_and_says_the_value_in_german(monkeypatch):
    monkeypatch.delenv(notebook.STATIC_ENV, raising=False)
    screen = _Screen()
    monkeypatch.setattr(notebook, "display", screen)
    rates = pd.DataFrame(
        {"Domain": ["web.de", "gmx.de", "t-online.de"], "rate": [0.02, 0.07, 0.15]}
    )
    _domains_over_threshold(rates)
    slider, label = screen.widgets()
    assert label.value == "5,0 %"
    assert "gmx.de" in screen.last_html() and "web.de" not in screen.last_html()
    slider.value = 0.01
    assert label.value == "1,0 %" and "web.de" in screen.last_html()
    slider.value = 0.2
    assert screen.last_html() == "<p>Keine Domain liegt über der Warnschwelle.</p>"


def test_the_scheduled_report_shows_the_first_rows_at_the_saved_threshold(monkeypatch):
    monkeypatch.setenv(notebook.STATIC_ENV, "1")
    screen = _Screen()
    monkeypatch.setattr(notebook, "display", screen)
    rates = pd.DataFrame({"Domain": [f"d{i}.de" for i in range(6)], "rate": [0.1] * 6})
    _domains_over_threshold(rates, report_rows=4, more="… und {} weitere Domains.")
    table, note = (item.data for item in screen.shown)
    assert "d3.de" in table and "d4.de" not in table
    assert note == "<p>… und 2 weitere Domains.</p>"
    assert not [item for item in screen.shown if hasattr(item, "children")]  # no slider


def test_a_drill_down_shows_a_bounded_selection_and_long_lists_wait_for_a_choice(monkeypatch):
    monkeypatch.delenv(notebook.STATIC_ENV, raising=False)
    monkeypatch.setattr(notebook, "MAX_CHOICES", 4)
    screen = _Screen()
    monkeypatch.setattr(notebook, "display", screen)
    frame = pd.DataFrame(
        {
            "Domain": ["gmx.de"] * 8 + ["web.de"] * 4,
            "Empfänger": [f"kunde{i}@x.de" for i in range(12)],
        }
    )
    notebook.drill_down(frame, ["Domain", "Empfänger"], "mails", limit=5)
    domain, recipient = screen.widgets()
    assert "die ersten 5 von 12 Zeilen" in screen.last_html()
    assert recipient.disabled and list(recipient.options) == [notebook.ALL]
    domain.value = "web.de"
    assert "die ersten" not in screen.last_html() and "kunde11@x.de" in screen.last_html()
    assert not recipient.disabled and len(recipient.options) == 5  # (alle) and four addresses
    recipient.value = "kunde9@x.de"
    assert "kunde9@x.de" in screen.last_html() and "kunde10@x.de" not in screen.last_html()
