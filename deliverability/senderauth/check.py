"""The sender check of one domain: SPF, DMARC, DKIM selectors, MX and From alignment."""

from __future__ import annotations

from dataclasses import dataclass, field

from deliverability.lookup.records import FAILED, DnsReader
from deliverability.senderauth.spf import SpfResult, check_spf

#: Second-level public suffixes common in our users' data (a full list would be the PSL).
_TWO_LABEL_SUFFIXES = frozenset({"co.uk", "org.uk", "ac.uk", "co.at", "or.at", "com.au", "co.nz"})
POLICIES = ("none", "quarantine", "reject")


def organizational_domain(domain: str) -> str:
    """The registrable domain (approximation: the last two labels, three for co.uk & co.)."""
    labels = domain.lower().rstrip(".").split(".")
    keep = 3 if ".".join(labels[-2:]) in _TWO_LABEL_SUFFIXES else 2
    return ".".join(labels[-keep:])


@dataclass
class DmarcResult:
    record: str | None
    policy: str | None
    subdomain_policy: str | None = None
    percent: int = 100
    rua: str | None = None
    problems: list[str] = field(default_factory=list)
    known: bool = True  # False: the lookup failed, nothing is known about the record


def parse_tags(record: str) -> dict[str, str]:
    tags = {}
    for part in record.split(";"):
        if "=" in part:
            key, value = part.split("=", 1)
            tags[key.strip().lower()] = value.strip()
    return tags


def check_dmarc(domain: str, reader: DnsReader) -> DmarcResult:
    """The DMARC record at `_dmarc.<domain>`, else at the organizational domain."""
    names = [domain, organizational_domain(domain)]
    for name in dict.fromkeys(names):
        status, records = reader.txt(f"_dmarc.{name}", "v=DMARC1")
        if status == FAILED:
            return DmarcResult(
                None, None, problems=["DMARC konnte per DNS nicht abgefragt werden."], known=False
            )
        if len(records) > 1:
            return DmarcResult(
                " | ".join(records), None, problems=["Mehr als ein DMARC-Eintrag: ungültig."]
            )
        if records:
            tags = parse_tags(records[0])
            result = DmarcResult(records[0], tags.get("p", "").lower() or None)
            result.subdomain_policy = tags.get("sp", "").lower() or None
            result.rua = tags.get("rua") or None
            try:
                result.percent = int(tags.get("pct", "100"))
            except ValueError:
                result.problems.append(f"pct={tags['pct']} ist keine Zahl.")
            if result.policy not in POLICIES:
                result.problems.append(
                    f"p={tags.get('p', '')} ist keine gültige Richtlinie (none, quarantine, "
                    "reject)."
                )
                result.policy = None
            return result
    return DmarcResult(None, None, problems=["Kein DMARC-Eintrag."])


def check_dkim(domain: str, selectors: list[str], reader: DnsReader) -> tuple[list[str], list[str]]:
    """The selectors that publish a key (`p=` not empty) at `<selector>._domainkey.<domain>`,
    and those whose lookup failed (unknown, not missing)."""
    found, unknown = [], []
    for selector in selectors:
        status, records = reader.txt(f"{selector}._domainkey.{domain}", "")
        if status == FAILED:
            unknown.append(selector)
        for record in records:
            key = parse_tags(record).get("p")
            if key:
                found.append(selector)
                break
    return found, unknown


@dataclass
class SenderCheck:
    domain: str
    spf: SpfResult
    dmarc: DmarcResult
    dkim: list[str]
    dkim_asked: list[str]
    mx: list[str]
    null_mx: bool
    aligned: bool | None
    from_domain: str | None
    mx_known: bool = True  # False: the MX lookup failed
    dkim_unknown: list[str] = field(default_factory=list)  # selectors whose lookup failed
    dns_trusted: bool = True  # False: the resolver failed or lied, nothing was looked up

    def findings(self) -> list[str]:
        """German sentences: what is wrong or weak, with what to do. What DNS could not
        answer is said as such, never advised as missing."""
        if not self.dns_trusted:
            return [
                "DNS: nicht geprüft – der DNS-Server antwortet nicht oder falsch; SPF, DMARC, "
                "DKIM und MX sind unbekannt.",
                *self._alignment(),
            ]
        out = [f"SPF: {p}" for p in self.spf.problems]
        if self.spf.status == "permerror" and self.spf.lookups > 10:
            out.append(
                "Tun: Includes zusammenfassen oder ip4/ip6-Bereiche direkt eintragen, bis höchstens "
                "10 Abfragen nötig sind."
            )
        out += [f"DMARC: {p}" for p in self.dmarc.problems]
        if self.dmarc.record is None and self.dmarc.known:
            out.append(
                "Tun: einen DMARC-Eintrag anlegen, z. B. „v=DMARC1; p=none; rua=mailto:…“, die "
                "Berichte auswerten und dann auf quarantine/reject gehen. Gmail und Yahoo verlangen "
                "DMARC ab 5.000 Mails am Tag."
            )
        elif self.dmarc.policy == "none":
            out.append(
                "DMARC: p=none schützt nicht vor Fälschungen; nach Auswertung der Berichte auf "
                "quarantine oder reject umstellen."
            )
        if self.dmarc.record is not None and not self.dmarc.rua:
            out.append("DMARC: Ohne rua kommen keine Berichte an.")
        missing = [s for s in self.dkim_asked if s not in self.dkim + self.dkim_unknown]
        if self.dkim_unknown:
            out.append(
                f"DKIM: Selektor {', '.join(self.dkim_unknown)} konnte per DNS nicht abgefragt "
                "werden."
            )
        if missing:
            out.append(
                f"DKIM: kein Schlüssel für Selektor {', '.join(missing)}; den Schlüssel der "
                "Versandplattform im DNS veröffentlichen."
            )
        if not self.mx_known:
            out.append("MX: konnte per DNS nicht abgefragt werden.")
        elif self.null_mx:
            out.append("MX: Die Domain nimmt keine Mails an (Null-MX) – Antworten gehen verloren.")
        elif not self.mx:
            out.append("MX: Kein MX-Eintrag; Bounces und Antworten an diese Domain gehen verloren.")
        return out + self._alignment()

    def _alignment(self) -> list[str]:
        if self.aligned is not False:
            return []
        return [
            f"Die Absenderdomain {self.from_domain} passt nicht zu {self.domain}: DMARC "
            "schlägt fehl, auch wenn SPF und DKIM für die Versanddomain stimmen. Die "
            "Absenderadresse auf die verbundene Domain umstellen (oder diese Domain "
            "verbinden)."
        ]


def alignment(from_address: str | None, domain: str) -> tuple[bool | None, str | None]:
    """Relaxed DMARC alignment of the From domain with the sending domain."""
    if not from_address:
        return None, None
    from_domain = from_address.rpartition("@")[2].lower().rstrip(".")
    return organizational_domain(from_domain) == organizational_domain(domain), from_domain


def check_sender(
    domain: str,
    reader: DnsReader,
    selectors: list[str] | None = None,
    from_address: str | None = None,
) -> SenderCheck:
    domain = domain.lower().rstrip(".")
    selectors = selectors or []
    mx = reader.query(domain, "MX")
    hosts = [h for h in mx.values if h]
    null_mx = bool(mx.values) and not hosts
    aligned, from_domain = alignment(from_address, domain)
    dkim, dkim_unknown = check_dkim(domain, selectors, reader)
    return SenderCheck(
        domain=domain,
        spf=check_spf(domain, reader),
        dmarc=check_dmarc(domain, reader),
        dkim=dkim,
        dkim_asked=selectors,
        mx=hosts,
        null_mx=null_mx,
        aligned=aligned,
        from_domain=from_domain,
        mx_known=mx.status != FAILED,
        dkim_unknown=dkim_unknown,
        dns_trusted=reader.health.trusted,
    )


def as_record(check: SenderCheck) -> dict[str, object]:
    """The CLI record: the contract fields of `deliverability check-sender`."""
    return {
        "domain": check.domain,
        "spf_record": check.spf.record,
        "spf_status": check.spf.status,
        "spf_lookups": check.spf.lookups,
        "dmarc_record": check.dmarc.record,
        "dmarc_policy": check.dmarc.policy,
        "dkim": check.dkim,
        "mx": ["."] if check.null_mx else check.mx,
        "aligned": check.aligned,
        "findings": " ".join(check.findings()),
    }
