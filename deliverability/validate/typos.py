"""Typo suggestions for the domains of common mail providers (never applied silently)."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

_DATA = Path(__file__).with_name("providers.csv")


@cache
def providers() -> dict[str, int]:
    """Domain → popularity weight (higher = more addresses there)."""
    with _DATA.open(encoding="utf-8", newline="") as handle:
        return {row["domain"]: int(row["weight"]) for row in csv.DictReader(handle)}


def _distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein distance (adjacent transpositions), cut off above `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


@cache
def _letters(domain: str) -> frozenset[str]:
    return frozenset(domain)


@cache
def suggest_domain(domain: str) -> str | None:
    """The provider domain the user most likely meant, or None (also for correct domains).

    Candidates within edit distance 1 (2 for domains of 8 characters or more), ranked by
    distance, then by popularity.
    """
    known = providers()
    if domain in known:
        return None
    limit = 2 if len(domain) >= 8 else 1
    letters = frozenset(domain)
    best: tuple[int, int, str] | None = None
    for candidate, weight in known.items():
        # one edit changes the set of letters by at most two: a cheap lower bound
        if len(letters ^ _letters(candidate)) > 2 * limit:
            continue
        distance = _distance(domain, candidate, limit)
        if distance <= limit:
            key = (distance, -weight, candidate)
            if best is None or key < best:
                best = key
    return best[2] if best else None
