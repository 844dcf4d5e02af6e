"""Sender authentication against a real dnsmasq with good and broken zones."""

from __future__ import annotations

import json

import pytest

from deliverability.lookup.records import DnsReader
from deliverability.senderauth.check import check_sender, organizational_domain

DEEP = (
    ["--txt-record=deep.de,v=spf1 include:l1.deep.de -all"]
    + [f"--txt-record=l{i}.deep.de,v=spf1 include:l{i + 1}.deep.de -all" for i in range(1, 12)]
    + ["--txt-record=l12.deep.de,v=spf1 ip4:192.0.2.1 -all"]
)
ZONE = [
    "--txt-record=gut.de,v=spf1 ip4:192.0.2.0/24 include:_spf.gut.de -all",
    "--txt-record=_spf.gut.de,v=spf1 ip4:198.51.100.0/24 ip6:2001:db8::/32 ~all",
    "--txt-record=_dmarc.gut.de,v=DMARC1; p=reject; sp=quarantine; pct=50; rua=mailto:dmarc@gut.de",
    "--txt-record=mail._domainkey.gut.de,v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC",
    "--txt-record=alt._domainkey.gut.de,v=DKIM1; p=",
    "--mx-host=gut.de,mx.gut.de,10",
    "--txt-record=offen.de,v=spf1 +all",
    "--txt-record=_dmarc.offen.de,v=DMARC1; p=none",
    "--txt-record=doppelt.de,v=spf1 -all",
    "--txt-record=doppelt.de,v=spf1 ip4:192.0.2.1 -all",
    "--txt-record=kaputt-spf.de,v=spf1 ip4:999.1.1.1 -all",
    "--txt-record=ohne.de,some other text",
    "--txt-record=fehlinclude.de,v=spf1 include:nirgends.fehlinclude.de -all",
    *DEEP,
]


@pytest.fixture(scope="module")
def auth_dns():
    from ..dns_server import start_dns_server, stop_dns_server

    server = start_dns_server(ZONE)
    yield server
    stop_dns_server(server)


def _check(server, domain, **kwargs):
    return check_sender(domain, DnsReader(server.address, timeout=1.0), **kwargs)


def test_a_good_domain(auth_dns):
    result = _check(
        auth_dns, "gut.de", selectors=["mail", "alt", "fehlt"], from_address="news@gut.de"
    )
    assert result.spf.status == "ok" and result.spf.lookups == 1
    assert result.spf.all_qualifier == "-"
    assert (result.dmarc.policy, result.dmarc.subdomain_policy, result.dmarc.percent) == (
        "reject",
        "quarantine",
        50,
    )
    assert result.dmarc.rua == "mailto:dmarc@gut.de"
    assert result.dkim == ["mail"]  # "alt" is revoked (empty p=), "fehlt" does not exist
    assert result.mx == ["mx.gut.de"] and result.aligned is True
    findings = " ".join(result.findings())
    assert "Selektor alt, fehlt" in findings and "SPF:" not in findings


@pytest.mark.parametrize(
    ("domain", "status"),
    [
        ("offen.de", "too_permissive"),
        ("doppelt.de", "multiple"),
        ("kaputt-spf.de", "permerror"),
        ("ohne.de", "missing"),
        ("fehlinclude.de", "permerror"),
        ("deep.de", "permerror"),
    ],
)
def test_broken_spf(auth_dns, domain, status):
    result = _check(auth_dns, domain)
    assert result.spf.status == status, result.spf.problems


def test_more_than_ten_lookups(auth_dns):
    result = _check(auth_dns, "deep.de")
    assert result.spf.lookups == 12
    assert any("Mehr als 10 DNS-Abfragen" in p for p in result.spf.problems)


def test_dmarc_none_missing_and_alignment(auth_dns):
    weak = _check(auth_dns, "offen.de", from_address="info@newsletter-tool.com")
    assert weak.dmarc.policy == "none" and weak.aligned is False
    text = " ".join(weak.findings())
    assert "p=none schützt nicht" in text and "newsletter-tool.com passt nicht zu offen.de" in text
    missing = _check(auth_dns, "ohne.de")
    assert missing.dmarc.record is None
    assert "Gmail und Yahoo verlangen DMARC" in " ".join(missing.findings())


def test_subdomain_aligns_relaxed_and_finds_the_organizational_dmarc(auth_dns):
    result = _check(auth_dns, "news.gut.de", from_address="hallo@gut.de")
    assert result.aligned is True
    assert result.dmarc.policy == "reject"  # from _dmarc.gut.de
    assert organizational_domain("mail.example.co.uk") == "example.co.uk"


def test_cli_prints_one_record_per_domain(auth_dns, capsys):
    from deliverability.cli import main

    args = [
        "check-sender",
        "gut.de",
        "offen.de",
        "--dkim-selector",
        "mail",
        "--nameserver",
        auth_dns.address,
    ]
    assert main(args) == 0
    lines = capsys.readouterr().out.splitlines()
    records = [json.loads(line) for line in lines]
    assert list(records[0]) == [
        "domain", "spf_record", "spf_status", "spf_lookups", "dmarc_record", "dmarc_policy",
        "dkim", "mx", "aligned", "findings",
    ]  # fmt: skip
    assert records[0]["dkim"] == ["mail"] and records[1]["spf_status"] == "too_permissive"
    assert main([*args, "--format", "csv"]) == 0
    csv_text = capsys.readouterr().out.splitlines()
    assert csv_text[0].startswith("domain,spf_record,spf_status")
    assert csv_text[1].startswith("gut.de,")


def test_a_dns_failure_is_unknown_not_missing(silent_port):
    result = check_sender("gut.de", DnsReader(f"127.0.0.1:{silent_port}", timeout=0.3))
    assert result.spf.status == "unknown"


MX_ZONE = [
    "--mx-host=kanzlei.de,aspmx.l.google.com,1",
    "--mx-host=bau.de,bau-de.mail.protection.outlook.com,0",
    "--mx-host=baeckerei.de,mx00.kundenserver.de,10",
    "--mx-host=baeckerei.de,mx01.kundenserver.de,10",
    "--mx-host=bank.de,mxa-00123.pphosted.com,10",
    "--mx-host=klinik.de,eu-smtp-inbound-1.mimecast.com,10",
    "--mx-host=eigen.de,mail.eigen.de,10",
    "--mx-host=gmx.de,mx00.emig.gmx.net,10",
]


@pytest.fixture(scope="module")
def mx_dns():
    from ..dns_server import start_dns_server, stop_dns_server

    server = start_dns_server(MX_ZONE)
    yield server
    stop_dns_server(server)


def test_providers_by_mx(mx_dns):
    from deliverability.senderauth.mx_providers import providers_by_mx

    found = providers_by_mx(
        [
            "kanzlei.de",
            "bau.de",
            "Baeckerei.de",
            "bank.de",
            "klinik.de",
            "eigen.de",
            "gmx.de",
            "weg.de",
        ],
        mx_dns.address,
        timeout=1.0,
    )
    assert {d: p.provider for d, p in found.items()} == {
        "kanzlei.de": "Google",
        "bau.de": "Microsoft 365",
        "baeckerei.de": "IONOS",
        "bank.de": "Proofpoint",
        "klinik.de": "Mimecast",
        "eigen.de": "Sonstige",
        "gmx.de": "United Internet (GMX, WEB.DE, 1&1)",
        "weg.de": "Sonstige",
    }
    assert found["kanzlei.de"].by == "mx" and found["baeckerei.de"].mx == (
        "mx00.kundenserver.de",
        "mx01.kundenserver.de",
    )


def test_cli_providers(mx_dns, capsys):
    from deliverability.cli import main

    assert main(["providers", "kanzlei.de", "eigen.de", "--nameserver", mx_dns.address]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "domain,provider,mx",
        "eigen.de,Sonstige,mail.eigen.de",
        "kanzlei.de,Google,aspmx.l.google.com",
    ]


def test_every_mx_pattern_has_a_source():
    import csv

    from deliverability.senderauth import mx_providers

    with mx_providers._DATA.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and all(r["source"].startswith(("[V]", "[U]")) for r in rows)
