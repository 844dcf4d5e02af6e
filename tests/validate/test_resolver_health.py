"""A resolver that fails or lies must not make good addresses look dead (or typos alive):
every DNS verdict becomes `unknown`, with a German warning — against real dnsmasq servers."""

from __future__ import annotations

import csv
import json
import time

import pytest

from deliverability.cli import main
from deliverability.lookup import domains as dns_check
from deliverability.lookup.health import (
    FAILING,
    LYING,
    OK,
    REFERENCE_DOMAINS,
    judge,
    resolver_health,
)

ADDRESSES = ["anna@gmail.com", "bernd@gmx.de", "carla@web.de", "dora@gmial.com"]


@pytest.fixture(scope="module")
def hijacking():
    """A provider's resolver that answers names that do not exist with its own address."""
    from ..dns_server import start_dns_server, stop_dns_server

    server = start_dns_server(["--address=/de/192.0.2.1", "--address=/com/192.0.2.1"])
    yield server
    stop_dns_server(server)


def _result(domain: str, outcome: str, detail: str = "") -> dns_check.DomainResult:
    return dns_check.DomainResult(domain, outcome, detail)


def _references(outcome: str, detail: str = "") -> dict[str, dns_check.DomainResult]:
    return {d: _result(d, outcome, detail) for d in REFERENCE_DOMAINS}


@pytest.mark.parametrize(
    ("references", "probe", "status"),
    [
        (_references(dns_check.MX), dns_check.NO_DOMAIN, OK),
        (_references(dns_check.MX), dns_check.IMPLICIT_MX, LYING),  # invents an address
        (_references(dns_check.MX), dns_check.MX, LYING),
        (_references(dns_check.MX), dns_check.NO_MAIL_SERVER, LYING),  # NOERROR, not NXDOMAIN
        (_references(dns_check.NO_DOMAIN), dns_check.NO_DOMAIN, LYING),
        (_references(dns_check.NULL_MX), dns_check.NO_DOMAIN, LYING),
        (_references(dns_check.UNKNOWN, "Zeitüberschreitung"), dns_check.UNKNOWN, FAILING),
        (_references(dns_check.MX), dns_check.UNKNOWN, FAILING),  # NXDOMAIN not confirmed
        (
            {**_references(dns_check.MX), "gmail.com": _result("gmail.com", dns_check.UNKNOWN)},
            dns_check.NO_DOMAIN,
            OK,  # one slow answer of four is a slow network, not a broken resolver
        ),
        (
            {
                **_references(dns_check.UNKNOWN, "SERVFAIL"),
                "gmx.de": _result("gmx.de", dns_check.MX),
            },
            dns_check.NO_DOMAIN,
            FAILING,
        ),
    ],
)
def test_the_verdict_on_a_resolver(references, probe, status):
    health = judge(references, _result("x.de", probe), "127.0.0.1:53")
    assert health.status == status
    assert health.trusted is (status == OK)
    assert (health.warning() is None) is (status == OK)


def test_the_test_zone_is_a_healthy_resolver(dns_server):
    assert resolver_health(dns_server.address, timeout=1.0).status == OK


def test_nxdomain_for_everything_is_lying(nxdomain_everything):
    health = resolver_health(nxdomain_everything.address, timeout=1.0)
    assert health.status == LYING
    assert "gmail.com" in health.detail
    assert "falsche Antworten" in (health.warning() or "")


def test_invented_answers_are_lying(hijacking):
    health = resolver_health(hijacking.address, timeout=1.0)
    assert health.status == LYING and "erfundenen Namen" in health.detail


def test_a_silent_resolver_fails_after_one_round_of_lookups(silent_port):
    started = time.monotonic()
    health = resolver_health(f"127.0.0.1:{silent_port}", timeout=0.3)
    assert health.status == FAILING and "Zeitüberschreitung" in health.detail
    assert time.monotonic() - started < 2.0  # all questions at once: one timeout, one retry


def _validate(tmp_path, nameserver: str, capsys) -> tuple[list[dict[str, str]], str]:
    source = tmp_path / "liste.csv"
    source.write_text("email;name\n" + "".join(f"{a};X\n" for a in ADDRESSES), encoding="utf-8")
    out = tmp_path / "out"
    args = ["validate", str(source), "--out", str(out), "--nameserver", nameserver]
    assert main([*args, "--timeout", "0.5", "--csv", "standard"]) == 0
    with (out / "results.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    return rows, capsys.readouterr().err


@pytest.mark.parametrize("resolver", ["nxdomain_everything", "hijacking", "silent"])
def test_validate_judges_nothing_by_a_broken_resolver(resolver, request, tmp_path, capsys):
    if resolver == "silent":
        nameserver = f"127.0.0.1:{request.getfixturevalue('silent_port')}"
    else:
        nameserver = request.getfixturevalue(resolver).address
    rows, err = _validate(tmp_path, nameserver, capsys)
    assert [row["reason"] for row in rows] == ["dns_untrusted"] * 4
    assert {row["status"] for row in rows} == {"unknown"}
    assert all("existiert nicht" not in row["reason_text"] for row in rows)
    assert rows[3]["suggestion"] == "dora@gmail.com"  # the typo is found without DNS
    assert err.startswith("Warnung: Der DNS-Server ")
    assert "„unklar“" in err and "Traceback" not in err


def test_validate_with_a_healthy_resolver_gives_dns_verdicts(dns_server, tmp_path, capsys):
    rows, err = _validate(tmp_path, dns_server.address, capsys)
    assert [row["status"] for row in rows] == ["ok"] * 3 + ["invalid"]
    assert rows[3]["reason"] == "no_domain"  # gmial.com does not exist in the test zone
    assert "Warnung" not in err


def test_validate_without_dns_asks_no_resolver(tmp_path, capsys, silent_port):
    source = tmp_path / "liste.csv"
    source.write_text("email\nanna@gmail.com\n", encoding="utf-8")
    args = ["validate", str(source), "--out", str(tmp_path / "o"), "--no-dns"]
    assert main([*args, "--nameserver", f"127.0.0.1:{silent_port}"]) == 0
    assert "Warnung" not in capsys.readouterr().err


def test_check_sender_does_not_advise_creating_records_it_could_not_see(
    nxdomain_everything, capsys
):
    args = ["check-sender", "gmx.de", "--from", "news@example.org", "--dkim-selector", "s1"]
    assert main([*args, "--nameserver", nxdomain_everything.address]) == 0
    captured = capsys.readouterr()
    record = json.loads(captured.out)
    assert record["spf_status"] == "unknown" and record["dmarc_policy"] is None
    assert "nicht geprüft" in record["findings"]
    for advice in ("Kein MX-Eintrag", "DMARC-Eintrag anlegen", "kein Schlüssel", "Kein SPF"):
        assert advice not in record["findings"]
    assert "passt nicht zu gmx.de" in record["findings"]  # alignment needs no DNS
    assert captured.err.startswith("Warnung: Der DNS-Server ")


def test_check_sender_says_unknown_where_one_lookup_failed(dns_server, capsys):
    # kaputt.de is forwarded to a server answering SERVFAIL; the resolver itself is healthy
    assert main(["check-sender", "kaputt.de", "--nameserver", dns_server.address]) == 0
    captured = capsys.readouterr()
    findings = json.loads(captured.out)["findings"]
    assert "MX: konnte per DNS nicht abgefragt werden." in findings
    assert "Kein MX-Eintrag" not in findings and "DMARC-Eintrag anlegen" not in findings
    assert "Warnung" not in captured.err


def test_providers_fall_back_to_the_domain_map_with_a_warning(nxdomain_everything, capsys):
    args = ["providers", "gmx.de", "eigen.de", "--nameserver", nxdomain_everything.address]
    assert main(args) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        "domain,provider,mx",
        "eigen.de,Sonstige,",
        'gmx.de,"United Internet (GMX, WEB.DE, 1&1)",',
    ]
    assert captured.err.startswith("Warnung: Der DNS-Server ")
