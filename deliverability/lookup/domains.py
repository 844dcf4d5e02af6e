"""Can a domain receive mail? MX, null MX, implicit MX, NXDOMAIN — asynchronously, cached.

A timeout, SERVFAIL or any other failure of the lookup is `unknown`, never `invalid`: a
passing DNS problem must not throw away a good address.
"""

from __future__ import annotations

import asyncio
import ipaddress
import multiprocessing
import os
import threading
from collections.abc import Callable, Coroutine, Iterable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any, TypeVar

import dns.exception
import dns.message
import dns.rcode
import dns.rdatatype
import dns.resolver

from deliverability.errors import ConfigError
from deliverability.lookup.udp import UdpDnsClient

T = TypeVar("T")

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
    """`IP` or `IP:PORT` (`[v6]:PORT` for IPv6) → (ip, port); None for the system.

    A DNS server is named by its address: a host name would need a resolver to find the
    resolver. Port 1–65535.
    """
    if not value:
        return None
    host, port_text = value.strip(), ""
    if host.startswith("["):
        host, _, rest = host[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else rest
    elif host.count(":") == 1:
        host, _, port_text = host.partition(":")
    try:
        ipaddress.ip_address(host)
    except ValueError as error:
        raise ConfigError(
            f"„{host}“ ist keine IP-Adresse eines DNS-Servers (Beispiel: 127.0.0.1:53 oder "
            "[::1]:53)."
        ) from error
    if not port_text:
        return host, 53
    if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise ConfigError(f"Der Port in „{value}“ muss eine Zahl von 1 bis 65535 sein.")
    return host, int(port_text)


def system_nameserver() -> tuple[str, int]:
    """The first nameserver of the system's resolver configuration."""
    try:
        servers = dns.resolver.Resolver().nameservers
    except dns.resolver.NoResolverConfiguration as error:
        raise ConfigError(
            "Kein DNS-Server im System eingerichtet; bitte --nameserver angeben."
        ) from error
    if not servers:
        raise ConfigError("Kein DNS-Server im System eingerichtet; bitte --nameserver angeben.")
    return str(servers[0]), 53


def _records(response: dns.message.Message, rdtype: dns.rdatatype.RdataType) -> list[object]:
    return [record for rrset in response.answer if rrset.rdtype == rdtype for record in rrset]


async def _has_address(client: UdpDnsClient, domain: str) -> bool | None:
    """True if the domain has an A or AAAA record, False if not, None if unknown."""
    unknown = False
    for rdtype in ("A", "AAAA"):
        try:
            response = await client.query(domain, rdtype)
        except (dns.exception.DNSException, OSError):
            unknown = True
            continue
        if response.rcode() == dns.rcode.NOERROR:
            if _records(response, dns.rdatatype.from_text(rdtype)):
                return True
        elif response.rcode() != dns.rcode.NXDOMAIN:
            unknown = True
    return None if unknown else False


async def check_domain(client: UdpDnsClient, domain: str) -> DomainResult:
    """What DNS says about mail for one domain."""
    try:
        response = await client.query(domain, "MX")
    except dns.exception.Timeout:
        return DomainResult(domain, UNKNOWN, "Zeitüberschreitung")
    except (dns.exception.DNSException, OSError) as error:
        return DomainResult(domain, UNKNOWN, type(error).__name__)
    rcode = response.rcode()
    if rcode == dns.rcode.NXDOMAIN:
        return DomainResult(domain, NO_DOMAIN)
    if rcode != dns.rcode.NOERROR:
        return DomainResult(domain, UNKNOWN, dns.rcode.to_text(rcode))
    hosts = sorted(
        (record.preference, str(record.exchange))  # type: ignore[attr-defined]
        for record in _records(response, dns.rdatatype.MX)
    )
    if not hosts:
        has_address = await _has_address(client, domain)
        if has_address is None:
            return DomainResult(domain, UNKNOWN, "A/AAAA-Abfrage fehlgeschlagen")
        return DomainResult(domain, IMPLICIT_MX if has_address else NO_MAIL_SERVER)
    if len(hosts) == 1 and hosts[0][1] == ".":
        return DomainResult(domain, NULL_MX)
    return DomainResult(domain, MX, ", ".join(host for _, host in hosts))


async def check_domains_async(
    domains: Iterable[str],
    server: tuple[str, int],
    *,
    timeout: float = 3.0,
    concurrency: int = 64,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, DomainResult]:
    """Check each distinct domain once, at most `concurrency` lookups in flight."""
    unique = sorted(set(domains))
    semaphore = asyncio.Semaphore(concurrency)
    results: dict[str, DomainResult] = {}
    async with UdpDnsClient(server[0], server[1], timeout) as client:

        async def one(domain: str) -> None:
            async with semaphore:
                results[domain] = await check_domain(client, domain)
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
    """Check domains, in several processes for long lists (parsing DNS answers is CPU work).

    Default nameserver: the system's.
    """
    server = parse_nameserver(nameserver) or system_nameserver()
    unique = sorted(set(domains))
    workers = min(os.cpu_count() or 1, 4)
    if workers < 2 or len(unique) < PARALLEL_FROM:
        coroutine = check_domains_async(
            unique, server, timeout=timeout, concurrency=concurrency, progress=progress
        )
        return run_sync(coroutine)
    chunks = [unique[i : i + CHUNK] for i in range(0, len(unique), CHUNK)]
    results: dict[str, DomainResult] = {}
    # Forking a process with other threads (a Jupyter kernel) is unsafe; spawn there.
    single_threaded = threading.active_count() == 1
    context = multiprocessing.get_context(
        "fork" if hasattr(os, "fork") and single_threaded else "spawn"
    )
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        futures = [
            pool.submit(_check_chunk, chunk, server, timeout, concurrency) for chunk in chunks
        ]
        for future in as_completed(futures):
            results.update(future.result())
            if progress:
                progress(len(results), len(unique))
    return results


def run_sync(coroutine: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run`, also where an event loop is already running (Jupyter): in a thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


#: Lists of at least this many domains are checked in several processes, in chunks.
PARALLEL_FROM = 2_000
CHUNK = 2_500


def _check_chunk(
    chunk: list[str], server: tuple[str, int], timeout: float, concurrency: int
) -> dict[str, DomainResult]:
    return run_sync(check_domains_async(chunk, server, timeout=timeout, concurrency=concurrency))
