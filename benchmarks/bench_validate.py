"""Benchmark: checking 1 million addresses over 50,000 domains against a local dnsmasq.

In one run:
1. starts dnsmasq on 127.0.0.1 with MX records for 45,000 of the 50,000 domains (the rest do
   not exist), like the tests do;
2. times the syntax check alone on all addresses, and, as a baseline, email-validator called
   for each address on the first 100,000;
3. times the complete check (syntax, typos, flags, concurrent DNS per distinct domain) and,
   as a baseline, sequential synchronous DNS lookups for the first 5,000 domains.

Goals (issue 5): the complete check under 60 s; syntax alone at least 30,000 addresses/s.

Usage: .venv/bin/python benchmarks/bench_validate.py [--addresses 1000000] [--domains 50000]
"""

from __future__ import annotations

import argparse
import contextlib
import random
import sys
import tempfile
import time
from pathlib import Path

import dns.resolver
from email_validator import EmailNotValidError, validate_email

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from deliverability.validate.check import CheckOptions, check_addresses  # noqa: E402
from deliverability.validate.syntax import check_syntax  # noqa: E402
from tests.dns_server import start_dns_server, stop_dns_server  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--addresses", type=int, default=1_000_000)
    parser.add_argument("--domains", type=int, default=50_000)
    args = parser.parse_args()

    rng = random.Random(20261123)
    domains = [f"firma{i:05d}.de" for i in range(args.domains)]
    existing = domains[: int(len(domains) * 0.9)]
    emails = [
        f"{rng.choice(['anna', 'tom', 'info', 'k.schulz', 'vertrieb'])}{i}@{rng.choice(domains)}"
        for i in range(args.addresses)
    ]
    with tempfile.TemporaryDirectory() as folder:
        conf = Path(folder) / "zone.conf"
        conf.write_text("".join(f"mx-host={d},mx.{d},10\n" for d in existing))
        server = start_dns_server([f"--conf-file={conf}"])
        try:
            print(f"addresses: {len(emails):,}  distinct domains: {len(set(domains)):,}")
            check_syntax.cache_clear()
            start = time.perf_counter()
            for email in emails:
                check_syntax(email)
            seconds = time.perf_counter() - start
            print(
                f"syntax only: {seconds:.1f} s  ({len(emails) / seconds:,.0f} addresses/s)  goal ≥ 30,000/s"
            )
            sample = emails[:100_000]
            start = time.perf_counter()
            for email in sample:
                with contextlib.suppress(EmailNotValidError):
                    validate_email(email, check_deliverability=False)
            base = time.perf_counter() - start
            print(f"baseline, email-validator per address: {len(sample) / base:,.0f} addresses/s")

            check_syntax.cache_clear()
            start = time.perf_counter()
            results = check_addresses(emails, CheckOptions(nameserver=server.address, timeout=3))
            seconds = time.perf_counter() - start
            counts = dict(results.group_by("status").len().iter_rows())
            print(f"complete check: {seconds:.1f} s  goal < 60 s  statuses: {counts}")

            resolver = dns.resolver.Resolver(configure=False)
            resolver.nameservers, resolver.port, resolver.lifetime = ["127.0.0.1"], server.port, 3
            start = time.perf_counter()
            for domain in domains[:5000]:
                with contextlib.suppress(dns.resolver.NXDOMAIN):
                    resolver.resolve(domain, "MX")
            base = time.perf_counter() - start
            print(
                f"baseline, sequential MX lookups: {5000 / base:,.0f} domains/s "
                f"(all {len(domains):,} would take {len(domains) / (5000 / base):.0f} s)"
            )
        finally:
            stop_dns_server(server)


if __name__ == "__main__":
    main()
