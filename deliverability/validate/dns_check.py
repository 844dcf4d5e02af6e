"""Can a domain receive mail? MX, null MX, implicit MX, NXDOMAIN — asynchronously, cached.

A timeout, SERVFAIL or any other failure of the lookup is `unknown`, never `invalid`: a
passing DNS problem must not throw away a good address.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import dns.asyncresolver
import dns.exception
import dns.rdatatype
import dns.resolver

from deliverability.errors import ConfigError

#: Outcomes of a domain check.
MX = "mx"  # has mail exchangers
IMPLICIT_MX = "implicit_mx"  # no MX, but an A/AAAA record (RFC 5321 5.1)
NULL_MX = "null_mx"  # "MX 0 ." (RFC 7505): accepts no mail
NO_DOMAIN = "no_domain"  # NXDOMAIN
NO_MAIL_SERVER = "no_mail_server"  # exists, but neither MX nor A/AAAA
UNKNOWN = "unknown"  # timeout, SERVFAIL, …


@dataclass(frozen=True)
class DomainResult:
    domain: str
    outcome: str
    detail: str = ""


def parse_nameserver(value: str | None) -> tuple[str, int] | None:
    """`HOST` or `HOST:PORT` (`[v6]:PORT` for IPv6) → (host, port); None for the system."""
    if not value:
        return None
    host, port = value, 53
    if value.startswith("["):
        host, _, rest = value[1:].partition("]")
        port = int(rest[1:]) if rest.startswith(":") else 53
    elif value.count(":") == 1:
        host, _, text = value.partition(":")
        try:
            port = int(text)
        except ValueError as error:
            raise ConfigError(f"Ungültiger Port in --nameserver {value}.") from error
    return host, port


def make_resolver(
    nameserver: str | None = None, timeout: float = 3.0
) -> dns.asyncresolver.Resolver:
    """A resolver for the given nameserver (default: the system's)."""
    server = parse_nameserver(nameserver)
    if server is None:
        resolver = dns.asyncresolver.Resolver()
    else:
        resolver = dns.asyncresolver.Resolver(configure=False)
        resolver.nameservers = [server[0]]
        resolver.port = server[1]
    resolver.timeout = timeout
    resolver.lifetime = timeout
    resolver.cache = dns.resolver.Cache()
    return resolver


async def _has_address(resolver: dns.asyncresolver.Resolver, domain: str) -> bool | None:
    """True if the domain has an A or AAAA record, False if not, None if unknown."""
    unknown = False
    for rdtype in ("A", "AAAA"):
        try:
            await resolver.resolve(domain, rdtype)
            return True
        except (dns.resolver.NoAnswer, dns.resolver.NXDOMAIN):
            continue
        except (dns.exception.DNSException, OSError):
            unknown = True
    return None if unknown else False


async def check_domain(resolver: dns.asyncresolver.Resolver, domain: str) -> DomainResult:
    """What DNS says about mail for one domain."""
    try:
        answer = await resolver.resolve(domain, "MX")
    except dns.resolver.NXDOMAIN:
        return DomainResult(domain, NO_DOMAIN)
    except dns.resolver.NoAnswer:
        has_address = await _has_address(resolver, domain)
        if has_address is None:
            return DomainResult(domain, UNKNOWN, "A/AAAA-Abfrage fehlgeschlagen")
        return DomainResult(domain, IMPLICIT_MX if has_address else NO_MAIL_SERVER)
    except dns.resolver.NoNameservers as error:
        return DomainResult(domain, UNKNOWN, f"SERVFAIL ({error})")
    except (dns.exception.Timeout, dns.resolver.LifetimeTimeout):
        return DomainResult(domain, UNKNOWN, "Zeitüberschreitung")
    except (dns.exception.DNSException, OSError) as error:
        return DomainResult(domain, UNKNOWN, type(error).__name__)
    hosts = [(record.preference, str(record.exchange)) for record in answer]
    if len(hosts) == 1 and hosts[0][1] == ".":
        return DomainResult(domain, NULL_MX)
    return DomainResult(domain, MX, ", ".join(host for _, host in sorted(hosts)))


async def check_domains_async(
    domains: Iterable[str],
    resolver: dns.asyncresolver.Resolver,
    concurrency: int = 64,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, DomainResult]:
    """Check each distinct domain once, at most `concurrency` lookups in flight."""
    unique = sorted(set(domains))
    semaphore = asyncio.Semaphore(concurrency)
    results: dict[str, DomainResult] = {}

    async def one(domain: str) -> None:
        async with semaphore:
            results[domain] = await check_domain(resolver, domain)
        if progress:
            progress(len(results), len(unique))

    await asyncio.gather(*(one(domain) for domain in unique))
    return results


def check_domains(
    domains: Iterable[str],
    nameserver: str | None = None,
    *,
    timeout: float = 3.0,
    concurrency: int = 64,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, DomainResult]:
    """Synchronous wrapper around `check_domains_async`."""
    resolver = make_resolver(nameserver, timeout)
    return asyncio.run(check_domains_async(domains, resolver, concurrency, progress))
