"""Can the DNS resolver be trusted? Asked once before any address or record is judged by DNS.

A resolver that times out makes every lookup `unknown` — slowly, one timeout per domain. A
resolver that lies is worse: locked-down networks answer NXDOMAIN for every outside name,
and some providers answer NXDOMAIN queries with their own search page's address. Judged by
such a resolver, gmail.com "does not exist" and a typo domain "has a mail server".

So the resolver is asked first about domains that certainly receive mail (the largest
mailbox providers of our users' lists, each with published MX records) and about a random
name that certainly does not exist. Only a resolver that answers both correctly is used;
otherwise every DNS verdict is `unknown`, with a German warning saying why.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from deliverability.lookup import domains as dns_check

#: Domains with MX records a working resolver must find (Gmail, GMX, WEB.DE, T-Online: the
#: largest mailbox providers in German address lists; each publishes MX records).
REFERENCE_DOMAINS = ("gmail.com", "gmx.de", "web.de", "t-online.de")

#: The made-up name is `<random>.<one of these>`: registries answer NXDOMAIN for names they
#: have not delegated (RFC 1034 4.3.2), so any record for it is invented by the resolver.
PROBE_ZONES = ("de", "com")

OK, FAILING, LYING = "ok", "failing", "lying"

_RECEIVES = (dns_check.MX, dns_check.IMPLICIT_MX)
_DENIES = (dns_check.NO_DOMAIN, dns_check.NO_MAIL_SERVER, dns_check.NULL_MX)


@dataclass(frozen=True)
class ResolverHealth:
    """The verdict on one resolver and what it was based on."""

    status: str  # ok, failing, lying
    server: str  # "IP:PORT"
    detail: str = ""  # German: what the resolver answered

    @property
    def trusted(self) -> bool:
        return self.status == OK

    def warning(self) -> str | None:
        """One German sentence for the analyst, None for a trusted resolver."""
        if self.status == FAILING:
            return (
                f"Der DNS-Server {self.server} antwortet nicht verlässlich ({self.detail}); "
                "alle DNS-Ergebnisse sind deshalb „unklar“ – die Adressen und Einträge wurden "
                "nicht per DNS beurteilt. Netzwerk prüfen oder einen anderen DNS-Server angeben "
                "(Befehle: --nameserver, Notebooks: nameserver)."
            )
        if self.status == LYING:
            return (
                f"Der DNS-Server {self.server} gibt falsche Antworten ({self.detail}); alle "
                "DNS-Ergebnisse sind deshalb „unklar“ – sonst sähen gute Adressen ungültig aus. "
                "In gesperrten Netzen einen DNS-Server angeben, der Internet-Domains auflöst "
                "(Befehle: --nameserver, Notebooks: nameserver)."
            )
        return None


def _server_text(server: tuple[str, int]) -> str:
    host, port = server
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def judge(
    references: dict[str, dns_check.DomainResult],
    probe: dns_check.DomainResult,
    server: str,
) -> ResolverHealth:
    """The verdict from the answers about the reference domains and the made-up name."""
    denied = sorted(d for d, r in references.items() if r.outcome in _DENIES)
    if denied:
        return ResolverHealth(LYING, server, f"angeblich ohne Mailserver: {', '.join(denied)}")
    if probe.outcome not in (dns_check.NO_DOMAIN, dns_check.UNKNOWN):
        return ResolverHealth(
            LYING, server, f"liefert Einträge für den erfundenen Namen {probe.domain}"
        )
    answered = sum(r.outcome in _RECEIVES for r in references.values())
    if answered * 2 < len(references) or probe.outcome == dns_check.UNKNOWN:
        failures = sorted(
            {
                r.detail or "keine Antwort"
                for r in [*references.values(), probe]
                if r.outcome == dns_check.UNKNOWN
            }
        )
        return ResolverHealth(FAILING, server, ", ".join(failures) or "keine Antwort")
    return ResolverHealth(OK, server)


def probe_name() -> str:
    """A name nobody has registered: a random 20-character label under a public zone."""
    return f"nicht-vorhanden-{secrets.token_hex(10)}.{secrets.choice(PROBE_ZONES)}"


def resolver_health(
    nameserver: str | None = None,
    *,
    timeout: float = 3.0,
    references: Sequence[str] = REFERENCE_DOMAINS,
) -> ResolverHealth:
    """Ask the resolver (default: the system's) about the reference domains and a made-up
    name, all at once; takes one lookup's time."""
    server = dns_check.parse_nameserver(nameserver) or dns_check.system_nameserver()
    probe = probe_name()
    answers = dns_check.run_sync(
        dns_check.check_domains_async([*references, probe], server, timeout=timeout)
    )
    return judge(
        {domain: answers[domain] for domain in references}, answers[probe], _server_text(server)
    )
