"""SPF (RFC 7208): the record, its syntax, the `all` qualifier, DNS lookups and void lookups.

The check follows includes and redirects and counts every term that costs a DNS lookup
(`include`, `a`, `mx`, `ptr`, `exists`, `redirect`): more than 10 is a permanent error, as are
more than 2 lookups that find nothing (void lookups), a syntax error, and an include whose
target has no SPF record.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

from deliverability.lookup.records import EMPTY, FAILED, NXDOMAIN, DnsReader

LOOKUP_LIMIT = 10
VOID_LIMIT = 2
QUALIFIERS = "+-~?"
_TERM = re.compile(r"^([+\-~?]?)([a-z0-9]+)(?::(.*?))?(?:/(\d+))?(?:/(?:/(\d+)))?$", re.I)
_MODIFIER = re.compile(r"^([a-z][a-z0-9_.\-]*)=(.*)$", re.I)
_LOOKUP_TERMS = {"include", "a", "mx", "ptr", "exists"}


@dataclass
class SpfResult:
    record: str | None
    status: str  # ok, missing, multiple, permerror, too_permissive, unknown
    lookups: int = 0
    void_lookups: int = 0
    all_qualifier: str | None = None
    problems: list[str] = field(default_factory=list)


def records_of(reader: DnsReader, domain: str) -> tuple[str, list[str]]:
    status, found = reader.txt(domain, "v=spf1")
    return status, [r for r in found if r.lower() == "v=spf1" or r.lower().startswith("v=spf1 ")]


class _Walk:
    def __init__(self, reader: DnsReader) -> None:
        self.reader = reader
        self.lookups = 0
        self.void = 0
        self.problems: list[str] = []
        self.seen: set[str] = set()

    def count(self, what: str) -> None:
        self.lookups += 1
        if self.lookups == LOOKUP_LIMIT + 1:
            self.problems.append(
                f"Mehr als {LOOKUP_LIMIT} DNS-Abfragen (zuletzt {what}): Empfänger werten SPF "
                "dann als Fehler (permerror)."
            )

    def void_check(self, name: str, kind: str) -> None:
        status = self.reader.query(name, kind).status
        if status in (EMPTY, NXDOMAIN):
            self.void += 1
            if self.void == VOID_LIMIT + 1:
                self.problems.append(
                    f"Mehr als {VOID_LIMIT} Abfragen ohne Ergebnis (zuletzt {kind} {name}): "
                    "permerror."
                )

    def record(self, record: str, domain: str, depth: int) -> str | None:
        """Walk one record; returns its `all` qualifier (None when it has none)."""
        qualifier_of_all = None
        redirect = None
        for term in record.split()[1:]:
            modifier = _MODIFIER.match(term)
            if (
                modifier
                and modifier.group(1).lower() in ("redirect", "exp")
                or (modifier and not _TERM.match(term))
            ):
                name, value = modifier.group(1).lower(), modifier.group(2)
                if name == "redirect":
                    redirect = value
                continue
            match = _TERM.match(term)
            if not match:
                self.problems.append(f"Unlesbarer Teil „{term}“ in {domain}.")
                continue
            qualifier, mechanism, value = match.group(1), match.group(2).lower(), match.group(3)
            if mechanism == "all":
                qualifier_of_all = qualifier or "+"
            elif mechanism in ("ip4", "ip6"):
                try:
                    ipaddress.ip_network(
                        f"{value}/{match.group(4)}" if match.group(4) else (value or ""),
                        strict=False,
                    )
                except ValueError:
                    self.problems.append(f"Ungültige Adresse „{term}“ in {domain}.")
            elif mechanism in _LOOKUP_TERMS:
                target = value or domain
                self.count(f"{mechanism}:{target}")
                if mechanism == "include":
                    if not value:
                        self.problems.append(f"„include“ ohne Domain in {domain}.")
                    else:
                        self.include(value, depth)
                elif mechanism in ("a", "mx"):
                    self.void_check(target, "A" if mechanism == "a" else "MX")
            else:
                self.problems.append(f"Unbekannter Mechanismus „{term}“ in {domain}.")
        if redirect and qualifier_of_all is None:
            self.count(f"redirect={redirect}")
            return self.include(redirect, depth, redirect=True)
        return qualifier_of_all

    def include(self, target: str, depth: int, redirect: bool = False) -> str | None:
        target = target.lower().rstrip(".")
        if target in self.seen or depth > 12:
            self.problems.append(f"Schleife über {target}.")
            return None
        self.seen.add(target)
        status, records = records_of(self.reader, target)
        if status == FAILED:
            self.problems.append(f"{target} war per DNS nicht erreichbar.")
            return None
        if len(records) != 1:
            kind = "redirect" if redirect else "include"
            self.problems.append(
                f"{kind}:{target} hat {'keinen' if not records else 'mehr als einen'} "
                "SPF-Eintrag (permerror)."
            )
            if not records:
                self.void += 1
            return None
        return self.record(records[0], target, depth + 1)


def check_spf(domain: str, reader: DnsReader) -> SpfResult:
    status, records = records_of(reader, domain)
    if status == FAILED:
        return SpfResult(None, "unknown", problems=["SPF konnte per DNS nicht abgefragt werden."])
    if not records:
        return SpfResult(None, "missing", problems=["Kein SPF-Eintrag (v=spf1)."])
    if len(records) > 1:
        return SpfResult(
            " | ".join(records),
            "multiple",
            problems=["Mehr als ein SPF-Eintrag: Empfänger werten das als Fehler (permerror)."],
        )
    walk = _Walk(reader)
    walk.seen.add(domain.lower())
    qualifier = walk.record(records[0], domain, 0)
    result = SpfResult(records[0], "ok", walk.lookups, walk.void, qualifier, walk.problems)
    if walk.problems:
        result.status = "permerror"
    elif qualifier in ("+", "?"):
        result.status = "too_permissive"
        result.problems.append(
            f"„{qualifier}all“ erlaubt jedem Server, für die Domain zu senden: SPF schützt nicht."
        )
    elif qualifier is None:
        result.problems.append("Kein „all“ am Ende: Fremde Server gelten als neutral (?all).")
    return result
