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
