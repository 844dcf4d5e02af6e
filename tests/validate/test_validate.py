"""Address check before import: syntax, typos, DNS against a real dnsmasq, flags, files, CLI."""

from __future__ import annotations

import csv
import io
import string
from pathlib import Path

import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import given, settings
from hypothesis import strategies as st

from deliverability.cli import main
from deliverability.lookup import domains as dns_check
from deliverability.validate.check import CheckOptions, check_addresses
from deliverability.validate.syntax import check_syntax
from deliverability.validate.typos import suggest_domain

SYNTAX = [
    ("Tom@@beispiel.de", "syntax_double_at"),
    ("tom.beispiel.de", "syntax_no_at"),
    ("tom @beispiel.de", "syntax_space"),
    (".tom@beispiel.de", "syntax_dots"),
    ("tom.@beispiel.de", "syntax_dots"),
    ("to..m@beispiel.de", "syntax_dots"),
    ("tom@beispiel", "syntax_no_tld"),
    ('"tom"@beispiel.de', "syntax_quoted"),
    ("tom@" + "b" * 250 + ".de", "syntax_too_long"),
    ("@beispiel.de", "syntax_no_local"),
    ("tom@", "syntax_no_domain"),
    ("tom@beispiel.test", "syntax_reserved_domain"),
    ("", "empty"),
    ("   ", "empty"),
]


@pytest.mark.parametrize(("address", "code"), SYNTAX)
def test_broken_addresses_get_a_reason(address, code):
    result = check_syntax(address)
    assert result.normalized is None
    assert result.error == code


def test_normalization_and_international_addresses():
    result = check_syntax("  Anna.Berg@Beispiel.DE ")
    assert (result.normalized, result.domain, result.smtputf8) == (
        "Anna.Berg@beispiel.de",
        "beispiel.de",
        False,
    )
    idn = check_syntax("anna@bücher.de")
    assert (idn.normalized, idn.domain, idn.smtputf8) == (
        "anna@xn--bcher-kva.de",
        "xn--bcher-kva.de",
        False,
    )
    utf8 = check_syntax("müller@bücher.de")
    assert utf8.smtputf8 and utf8.normalized == "müller@xn--bcher-kva.de"


_CHARS = string.ascii_letters + string.digits + ".-_+@ \"'!#$%&*/=?^`{|}~()[]<>,;:\\"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=_CHARS, min_size=1, max_size=40))
def test_fast_path_agrees_with_email_validator(text):
    """The fast path may only accept what email-validator accepts, normalized the same way."""
    check_syntax.cache_clear()
    ours = check_syntax(text)
    try:
        valid = validate_email(text.strip(), check_deliverability=False, allow_smtputf8=True)
        expected = f"{valid.local_part}@{valid.ascii_domain or valid.domain}"
    except EmailNotValidError:
        expected = None
    assert ours.normalized == expected


@pytest.mark.parametrize(
    ("domain", "suggestion"),
    [
        ("gmial.com", "gmail.com"),
        ("gmx.dee", "gmx.de"),
        ("t-onlne.de", "t-online.de"),
        ("web.d", "web.de"),
        ("outlok.de", "outlook.de"),
        ("hotmial.com", "hotmail.com"),
        ("gmail.com", None),
        ("technik-handel.de", None),
    ],
)
def test_typo_suggestions(domain, suggestion):
    assert suggest_domain(domain) == suggestion


def test_dns_outcomes_against_dnsmasq(dns_server):
    results = dns_check.check_domains(
        ["beispiel.de", "nura.de", "nullmx.de", "gibtsnicht.de", "keinmail.de", "x.kaputt.de"],
        dns_server.address,
        timeout=2,
    )
    assert {domain: r.outcome for domain, r in results.items()} == {
        "beispiel.de": dns_check.MX,
        "nura.de": dns_check.IMPLICIT_MX,
        "nullmx.de": dns_check.NULL_MX,
        "gibtsnicht.de": dns_check.NO_DOMAIN,
        "keinmail.de": dns_check.NO_MAIL_SERVER,
        "x.kaputt.de": dns_check.UNKNOWN,  # SERVFAIL from the upstream
    }
    assert "SERVFAIL" in results["x.kaputt.de"].detail


def test_a_timeout_is_unknown_never_invalid(silent_port):
    results = dns_check.check_domains(["beispiel.de"], f"127.0.0.1:{silent_port}", timeout=0.3)
    assert results["beispiel.de"].outcome == dns_check.UNKNOWN
    checked = check_addresses(
        ["anna@beispiel.de"], CheckOptions(nameserver=f"127.0.0.1:{silent_port}", timeout=0.3)
    )
    assert checked.row(0, named=True)["status"] == "unknown"


def test_each_domain_is_looked_up_once(dns_server, monkeypatch):
    from deliverability.lookup.health import resolver_health

    healthy = resolver_health(dns_server.address)  # asked before; its lookups are not counted
    calls: list[str] = []
    original = dns_check.check_domain

    async def counting(resolver, domain):
        calls.append(domain)
        return await original(resolver, domain)

    monkeypatch.setattr(dns_check, "check_domain", counting)
    check_addresses(
        [f"kunde{i}@beispiel.de" for i in range(50)] + ["x@web.de"],
        CheckOptions(nameserver=dns_server.address, resolver=healthy),
    )
    assert sorted(calls) == ["beispiel.de", "web.de"]


def test_flags_and_status(dns_server):
    emails = [
        "anna@beispiel.de",  # ok
        "info@beispiel.de",  # role
        "wegwerf@mailinator.com",  # disposable
        "ANNA@Beispiel.DE",  # duplicate of the first
        "klaus@gmial.com",  # typo, and gmial.com does not exist
        "x@nullmx.de",
        "gesperrt@firma.de",  # on the suppression list
        "müller@beispiel.de",  # SMTPUTF8
    ]
    options = CheckOptions(
        nameserver=dns_server.address, suppressed=frozenset({"gesperrt@firma.de"})
    )
    rows = check_addresses(emails, options).rows(named=True)
    assert [(r["status"], r["reason"]) for r in rows] == [
        ("ok", "ok"),
        ("risky", "role"),
        ("risky", "disposable"),
        ("invalid", "duplicate"),
        ("invalid", "no_domain"),
        ("invalid", "null_mx"),
        ("invalid", "suppressed"),
        ("risky", "smtputf8"),
    ]
    assert rows[4]["suggestion"] == "klaus@gmail.com"
    assert rows[0]["provider"] is None and rows[4]["reason_text"] == "Die Domain existiert nicht."


LIST = (
    "Name;E-Mail;Firma\n"
    "Anna;anna@beispiel.de;A\n"
    "Tom;Tom@@beispiel.de;B\n"
    "Info;info@beispiel.de;C\n"
    "Klaus;klaus@gmial.com;D\n"
    "Formel;=cmd@beispiel.de;E\n"
)


def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig")), delimiter=";"))


def test_cli_writes_the_three_files_in_the_input_layout(dns_server, tmp_path, capsys):
    source = tmp_path / "liste.csv"
    source.write_bytes(LIST.encode("cp1252"))
    out = tmp_path / "ergebnis"
    args = ["validate", str(source), "--nameserver", dns_server.address, "--out", str(out)]
    assert main([*args, "--csv", "standard"]) == 0
    results = _rows(out / "results.csv")
    assert results[0] == [
        "Name",
        "E-Mail",
        "Firma",
        "status",
        "reason",
        "reason_text",
        "suggestion",
    ]
    assert [row[3] for row in results[1:]] == ["ok", "invalid", "risky", "invalid", "ok"]
    assert results[4][6] == "klaus@gmail.com"
    clean = _rows(out / "clean.csv")
    assert clean == [  # an import file: every value exactly as it came, no `'` before `=`
        ["Name", "E-Mail", "Firma"],
        ["Anna", "anna@beispiel.de", "A"],
        ["Formel", "=cmd@beispiel.de", "E"],
    ]
    assert results[5][1] == "'=cmd@beispiel.de"  # results.csv is for people: neutralised
    held = _rows(out / "held_back.csv")
    assert [row[1] for row in held[1:]] == [
        "Tom@@beispiel.de",
        "info@beispiel.de",
        "klaus@gmial.com",
    ]
    assert "5 Adressen geprüft" in capsys.readouterr().out
    # the default form is for German Excel: byte-order mark, `;`, German verdict columns
    # and words; clean.csv (for import) keeps the input's layout either way
    excel = tmp_path / "excel"
    assert main([*args[:-1], str(excel)]) == 0
    raw = (excel / "results.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    german = _rows(excel / "results.csv")
    assert german[0] == ["Name", "E-Mail", "Firma", "Ergebnis", "Grund", "Vorschlag"]
    assert [row[3] for row in german[1:]] == [
        "in Ordnung",
        "ungültig",
        "riskant",
        "ungültig",
        "in Ordnung",
    ]
    assert german[4][4] == results[4][5] and german[4][5] == "klaus@gmail.com"
    assert _rows(excel / "held_back.csv")[0][3:] == ["Ergebnis", "Grund", "Vorschlag"]
    assert (excel / "clean.csv").read_bytes() == (out / "clean.csv").read_bytes()


def test_cli_options_risky_and_suggestions(dns_server, tmp_path):
    source = tmp_path / "liste.csv"
    source.write_text(LIST.replace(";", ","), encoding="utf-8")
    out = tmp_path / "ergebnis"
    args = [
        "validate",
        str(source),
        "--column",
        "E-Mail",
        "--nameserver",
        dns_server.address,
        "--out",
        str(out),
    ]
    assert main([*args, "--include-risky", "--apply-suggestions"]) == 0
    clean = list(csv.reader(io.StringIO((out / "clean.csv").read_text())))
    assert clean[0] == ["Name", "E-Mail", "Firma", "E-Mail_original"]
    assert ["Info", "info@beispiel.de", "C", ""] in clean
    assert ["Klaus", "klaus@gmail.com", "D", "klaus@gmial.com"] in clean
    assert main(["validate", str(source), "--column", "Adresse", "--out", str(out)]) == 1
