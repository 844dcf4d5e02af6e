"""The address check: one verdict per address, from syntax, typo, risk flags and DNS."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import polars as pl
from disposable_email_domains import blocklist as _disposable

from deliverability.lookup import domains as dns_check
from deliverability.lookup.health import ResolverHealth, resolver_health
from deliverability.taxonomy import provider_map
from deliverability.validate.codes import REASONS, most_severe
from deliverability.validate.syntax import SyntaxResult, check_syntax
from deliverability.validate.typos import suggest_domain

_ROLES = Path(__file__).with_name("roles.txt")

#: DNS outcome → reason code (None: the domain can receive mail)
_DNS_REASONS = {
    dns_check.MX: None,
    dns_check.IMPLICIT_MX: None,
    dns_check.NULL_MX: "null_mx",
    dns_check.NO_DOMAIN: "no_domain",
    dns_check.NO_MAIL_SERVER: "no_mail_server",
    dns_check.UNKNOWN: "dns_unknown",
}


#: Findings that the suggested domain repairs (the typo domain may not exist at all).
_TYPO_FIXES = frozenset(
    {"typo", "no_domain", "no_mail_server", "null_mx", "dns_unknown", "dns_untrusted", "disposable"}
)


@cache
def role_accounts() -> frozenset[str]:
    lines = _ROLES.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


@dataclass(frozen=True)
class CheckOptions:
    """How to check: DNS on or off, which nameserver (and its health, if already asked),
    which suppressed addresses."""

    dns: bool = True
    nameserver: str | None = None
    timeout: float = 3.0
    concurrency: int = 64
    suppressed: frozenset[str] = field(default_factory=frozenset)
    resolver: ResolverHealth | None = None


def check_addresses(
    emails: Sequence[str | None],
    options: CheckOptions | None = None,
    progress: Callable[[int, int], None] | None = None,
    ragged: Collection[int] = (),
) -> pl.DataFrame:
    """One row per input address, in input order; the rows (0-based) in `ragged` had more
    fields than their header and are held back as `ragged_row`.

    Columns: `normalized`, `domain`, `provider`, `status`, `reason`, `reason_text`,
    `suggestion`, `flags` (all reason codes that apply, comma-separated), `fixable` (the
    suggestion repairs every finding).
    """
    options = options or CheckOptions()
    roles = role_accounts()
    providers = provider_map()
    seen: dict[str, int] = {}
    syntax = [check_syntax(email or "") for email in emails]
    codes: list[list[str]] = []
    suggestions: list[str | None] = []
    for index, result in enumerate(syntax, start=1):
        flags: list[str] = ["ragged_row"] if index - 1 in ragged else []
        suggestion = None
        if result.error:
            flags.append(result.error)
        else:
            assert result.normalized is not None and result.domain is not None
            key = result.normalized.lower()
            if key in seen:
                flags.append("duplicate")
            else:
                seen[key] = index
            if key in options.suppressed:
                flags.append("suppressed")
            if result.smtputf8:
                flags.append("smtputf8")
            local = result.normalized.rsplit("@", 1)[0].lower()
            if local in roles:
                flags.append("role")
            if result.domain in _disposable:
                flags.append("disposable")
            typo = suggest_domain(result.domain)
            if typo:
                flags.append("typo")
                suggestion = f"{result.normalized.rsplit('@', 1)[0]}@{typo}"
        codes.append(flags)
        suggestions.append(suggestion)
    if options.dns:
        reason_of = _dns_reason(syntax, options, progress)
        for result, flags in zip(syntax, codes, strict=True):
            if result.domain and (code := reason_of(result.domain)):
                flags.append(code)
    reasons = [most_severe(flags) for flags in codes]
    fixable = ["typo" in flags and set(flags) <= _TYPO_FIXES for flags in codes]
    return pl.DataFrame(
        {
            "normalized": [r.normalized for r in syntax],
            "domain": [r.domain for r in syntax],
            "provider": [providers.get(r.domain or "") for r in syntax],
            "status": [REASONS[code][0] for code in reasons],
            "reason": reasons,
            "reason_text": [REASONS[code][1] for code in reasons],
            "suggestion": suggestions,
            "flags": [",".join(flags) for flags in codes],
            "fixable": fixable,
        },
        schema={
            "normalized": pl.String,
            "domain": pl.String,
            "provider": pl.String,
            "status": pl.String,
            "reason": pl.String,
            "reason_text": pl.String,
            "suggestion": pl.String,
            "flags": pl.String,
            "fixable": pl.Boolean,
        },
    )


def _dns_reason(
    syntax: list[SyntaxResult],
    options: CheckOptions,
    progress: Callable[[int, int], None] | None,
) -> Callable[[str], str | None]:
    """domain → DNS reason code; every domain `dns_untrusted` when the resolver fails or lies
    (asked first, unless the caller already did)."""
    health = options.resolver or resolver_health(options.nameserver, timeout=options.timeout)
    if not health.trusted:
        return lambda _domain: "dns_untrusted"
    verdicts = dns_check.check_domains(
        {r.domain for r in syntax if r.domain},
        options.nameserver,
        timeout=options.timeout,
        concurrency=options.concurrency,
        progress=progress,
    )
    return lambda domain: _DNS_REASONS[verdicts[domain].outcome]


def summary(results: pl.DataFrame) -> pl.DataFrame:
    """Counts per status and reason."""
    return (
        results.group_by("status", "reason", "reason_text")
        .agg(addresses=pl.len())
        .sort(["addresses", "reason"], descending=[True, False])
    )
