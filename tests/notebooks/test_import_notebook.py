"""The import-check notebook runs under papermill on the sample list against dnsmasq."""

from __future__ import annotations

import csv
import json

import pytest

from deliverability.config import NOTEBOOK_DIR, sample_address_list
from deliverability.validate.codes import REASONS

from ..notebook_output import run_notebook, shown_text


@pytest.mark.slow
def test_import_notebook_checks_the_sample_list(dns_server, tmp_path):
    out_dir = tmp_path / "pruefung"
    executed = run_notebook(
        "import_pruefen.ipynb",
        tmp_path,
        {
            "input_file": str(sample_address_list()),
            "nameserver": dns_server.address,
            "out_dir": str(out_dir),
            "apply_suggestions": True,
        },
    )
    html = shown_text(executed)
    assert "Adressen gelesen" in html and "ungültig" in html and "riskant" in html
    assert "petra.wagner@gmial.com" in html and "petra.wagner@gmail.com" in html
    assert "Die Domain nimmt ausdrücklich keine E-Mails an (Null-MX)." in html
    assert "Doppelt" in html and "Das Adressfeld ist leer." in html
    assert html.count("data:image/png;base64") == 1  # the provider chart

    with (out_dir / "results.csv").open(encoding="utf-8-sig", newline="") as handle:
        results = list(csv.DictReader(handle, delimiter=";"))
    assert len(results) == 30  # every input row, the cp1252 `;` layout kept
    by_address = {row["E-Mail"].strip(): row for row in results}
    # written for German Excel: the verdict in German words, the reason's id left out
    assert list(results[0])[-3:] == ["Ergebnis", "Grund", "Vorschlag"]
    assert by_address["max.klein@nullmx.de"]["Grund"] == REASONS["null_mx"][1]
    assert by_address["ute.schwarz@kaputt.de"]["Ergebnis"] == "unklar"  # SERVFAIL
    assert by_address["hans.zimmermann@bücher.de"]["Ergebnis"] == "in Ordnung"  # IDN with MX
    assert by_address["jörg.schäfer@beispiel.de"]["Grund"] == REASONS["smtputf8"][1]
    assert by_address["Anna.Schmidt@GMX.DE"]["Grund"] == REASONS["duplicate"][1]
    assert by_address["anna.schmidt@gmx.de"]["Umsatz 2025"] == "1.234,50"
    formula = next(row for row in results if "HYPERLINK" in row["E-Mail"])
    assert formula["E-Mail"].startswith("'=") and formula["Ergebnis"] == "ungültig"

    with (out_dir / "clean.csv").open(encoding="utf-8-sig", newline="") as handle:
        clean = list(csv.DictReader(handle, delimiter=";"))
    imported = {row["E-Mail"]: row["E-Mail_original"] for row in clean}
    assert imported["petra.wagner@gmail.com"] == "petra.wagner@gmial.com"
    assert imported["k.hoffmann@t-online.de"] == "k.hoffmann@t-onlne.de"
    assert imported["Michael.Werner@t-online.de"] == ""  # trimmed, not a suggestion
    assert "info@firma.de" not in imported and "max.klein@nullmx.de" not in imported
    with (out_dir / "held_back.csv").open(encoding="utf-8-sig", newline="") as handle:
        held = list(csv.DictReader(handle, delimiter=";"))
    assert len(clean) + len(held) == 30


@pytest.mark.slow
def test_import_notebook_tells_a_lying_resolver_from_bad_addresses(nxdomain_everything, tmp_path):
    out_dir = tmp_path / "pruefung"
    executed = run_notebook(
        "import_pruefen.ipynb",
        tmp_path,
        {"nameserver": nxdomain_everything.address, "out_dir": str(out_dir)},
    )
    html = shown_text(executed)
    assert "<strong>Warnung:</strong> Der DNS-Server" in html
    assert REASONS["dns_untrusted"][1] in html
    assert REASONS["no_domain"][1] not in html
    with (out_dir / "results.csv").open(encoding="utf-8-sig", newline="") as handle:
        results = list(csv.DictReader(handle, delimiter=";"))
    gmx = next(row for row in results if row["E-Mail"] == "anna.schmidt@gmx.de")
    assert (gmx["Ergebnis"], gmx["Grund"]) == ("unklar", REASONS["dns_untrusted"][1])


def test_import_notebook_is_committed_without_outputs():
    notebook = json.loads((NOTEBOOK_DIR / "import_pruefen.ipynb").read_text())
    assert all(not cell.get("outputs") for cell in notebook["cells"] if cell["cell_type"] == "code")
    tags = [cell["metadata"].get("tags", []) for cell in notebook["cells"]]
    assert ["parameters"] in tags
