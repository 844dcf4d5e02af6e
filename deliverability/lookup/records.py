"""A small synchronous DNS reader for the sender checks (dnspython, configurable server)."""

from __future__ import annotations

from dataclasses import dataclass, field

import dns.exception
import dns.rdatatype
import dns.resolver

from deliverability.lookup.domains import parse_nameserver
from deliverability.lookup.health import ResolverHealth, resolver_health

#: Outcome of one lookup.
FOUND, EMPTY, NXDOMAIN, FAILED = "found", "empty", "nxdomain", "failed"


@dataclass
class Lookup:
    status: str
    values: list[str] = field(default_factory=list)


class DnsReader:
    """TXT, MX, A/AAAA lookups with a cache; errors become `failed`, never exceptions.

    The resolver is checked first (`lookup.health`); when it fails or lies, every lookup is
    `failed` without asking it, and `health.warning()` says why.
    """

    def __init__(
        self,
        nameserver: str | None = None,
        timeout: float = 3.0,
        *,
        health: ResolverHealth | None = None,
    ) -> None:
        self.health = health or resolver_health(nameserver, timeout=timeout)
        server = parse_nameserver(nameserver)
        self.resolver = dns.resolver.Resolver(configure=server is None)
        if server is not None:
            self.resolver.nameservers = [server[0]]
            self.resolver.port = server[1]
        self.resolver.lifetime = timeout
        self.cache: dict[tuple[str, str], Lookup] = {}

    def query(self, name: str, kind: str) -> Lookup:
        key = (name.lower().rstrip("."), kind)
        if key in self.cache:
            return self.cache[key]
        if not self.health.trusted:
            return Lookup(FAILED)
        try:
            answer = self.resolver.resolve(key[0], kind, raise_on_no_answer=False)
            if answer.rrset is None:
                result = Lookup(EMPTY)
            elif kind == "TXT":
                result = Lookup(
                    FOUND,
                    [b"".join(r.strings).decode("utf-8", "replace") for r in answer],  # type: ignore[attr-defined]
                )
            elif kind == "MX":
                hosts = sorted(
                    (r.preference, str(r.exchange).rstrip("."))
                    for r in answer  # type: ignore[attr-defined]
                )
                result = Lookup(FOUND, [host for _, host in hosts])
            else:
                result = Lookup(FOUND, [r.to_text() for r in answer])
        except dns.resolver.NXDOMAIN:
            result = Lookup(NXDOMAIN)
        except (dns.exception.DNSException, OSError):
            result = Lookup(FAILED)
        self.cache[key] = result
        return result

    def txt(self, name: str, prefix: str) -> tuple[str, list[str]]:
        """Status and the TXT records of `name` that start with `prefix` (case-insensitive)."""
        found = self.query(name, "TXT")
        matching = [v for v in found.values if v.lower().startswith(prefix.lower())]
        return found.status, matching
