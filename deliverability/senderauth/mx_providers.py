"""Who really hosts a domain's mail: MX host patterns → provider (data with sources).

Custom domains on Google Workspace, Microsoft 365, IONOS, Proofpoint … are found by their MX
hosts; the lookups run concurrently, once per distinct domain (the address check's DNS).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from deliverability.lookup import domains as dns_check
from deliverability.lookup.health import ResolverHealth, resolver_health
from deliverability.taxonomy import provider_map
from deliverability.taxonomy.providers import other_provider

_DATA = Path(__file__).resolve().parent.parent / "taxonomy" / "mx_providers.csv"


@cache
def mx_patterns() -> tuple[tuple[str, str], ...]:
    """(host suffix, provider), longest suffix first."""
    with _DATA.open(encoding="utf-8", newline="") as handle:
        rows = [(r["suffix"].lower(), r["provider"]) for r in csv.DictReader(handle)]
    return tuple(sorted(rows, key=lambda row: -len(row[0])))


def provider_of_host(host: str) -> str | None:
    host = host.lower().rstrip(".")
    for suffix, provider in mx_patterns():
        if host == suffix or host.endswith("." + suffix):
            return provider
    return None


@dataclass(frozen=True)
class DomainProvider:
    domain: str
    provider: str
    mx: tuple[str, ...]
    by: str  # "mx", "domain" (the static map) or "" (unknown)


def providers_by_mx(
    domains: Iterable[str],
    nameserver: str | None = None,
    timeout: float = 3.0,
    *,
    resolver: ResolverHealth | None = None,
) -> dict[str, DomainProvider]:
    """The provider of each domain: from its MX hosts, else from the static domain map.

    The resolver is checked first (unless `resolver` says how it is); one that fails or lies
    is not asked, and every domain gets the static map's provider (or none).
    """
    unique = sorted({d.lower().rstrip(".") for d in domains if d})
    resolver = resolver or resolver_health(nameserver, timeout=timeout)
    results = (
        dns_check.check_domains(unique, nameserver, timeout=timeout) if resolver.trusted else {}
    )
    static = provider_map()
    out = {}
    for domain in unique:
        found = results.get(domain)
        hosts = (
            tuple(h.strip().rstrip(".") for h in found.detail.split(","))
            if (found and found.outcome == dns_check.MX and found.detail)
            else ()
        )
        by_mx = next((p for p in map(provider_of_host, hosts) if p), None)
        if by_mx:
            out[domain] = DomainProvider(domain, by_mx, hosts, "mx")
        elif domain in static:
            out[domain] = DomainProvider(domain, static[domain], hosts, "domain")
        else:
            out[domain] = DomainProvider(domain, other_provider(), hosts, "")
    return out
