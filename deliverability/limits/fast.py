"""Fast replay for the common case: account rules only, and every rule waits.

Then sends leave in requested order (one FIFO queue), and a rule that allows N per window
only constrains send i through the send L(i) before which the window must have been cleared:
with cumulative weights P, L(i) is the first index with P[L] >= P[i] - N, and send i may go
at the earliest at sent[L] + window (rolling) or at the start of the period after sent[L]
(calendar). So

    sent[i] = max(requested[i], sent[i-1], max over rules of f(sent[L(i)])).

All L(i) are computed up front (vectorized). The recursion runs in blocks whose look-backs
all fall before the block: each block is a few numpy operations and a running maximum; short
blocks (small limits) fall back to a plain loop.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from deliverability.limits.calendar import Periods
from deliverability.limits.constraints import DELAYED, SENT, Constraint

#: Blocks shorter than this run as a plain Python loop (numpy overhead would dominate).
MIN_BLOCK = 48


def applies(constraints: Sequence[Constraint]) -> bool:
    """True when the fast path gives the same result as the general engine."""
    return all(c.scope == "account" and c.waits for c in constraints)


def look_backs(weights: np.ndarray, constraints: Sequence[Constraint]) -> list[np.ndarray | None]:
    """For each recipient-counting constraint, L(i): the send that must have left the window
    (-1: none). Message-counting constraints look back a fixed distance (None here)."""
    cumulative = (
        np.cumsum(weights, dtype=np.int64) if any(c.by_recipients for c in constraints) else None
    )
    result: list[np.ndarray | None] = []
    for c in constraints:
        if c.by_recipients and cumulative is not None:
            target = cumulative - c.limit
            found = np.searchsorted(cumulative, target, side="left").astype(np.int64)
            result.append(np.where(target <= 0, -1, found))
        else:
            result.append(None)
    return result


def _back_list(back: np.ndarray | None, limit: int, n: int) -> list[int]:
    if back is not None:
        return back.tolist()
    return np.maximum(np.arange(n, dtype=np.int64) - limit, -1).tolist()


def replay_fast(
    requested: np.ndarray,
    weights: np.ndarray,
    constraints: Sequence[Constraint],
    timezone: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sends sorted by requested time, none heavier than any limit → (sent_at, outcome, rule)."""
    n = len(requested)
    out = np.empty(n, dtype=np.int64)
    if n == 0:
        return out, np.zeros(0, dtype=np.int8), np.zeros(0, dtype=np.int32)
    start = int(requested.min())
    periods = [Periods(c.period, timezone, start) if c.period else None for c in constraints]
    backs = look_backs(weights, constraints)
    # Message-counting rolling rules look back a fixed distance N: a plain shifted slice.
    # Rules with the same N merge into one bound (the longest window decides).
    shifted: dict[int, int] = {}
    indexed: list[int] = []
    for k, c in enumerate(constraints):
        if not c.by_recipients and c.period is None:
            shifted[c.limit] = max(shifted.get(c.limit, 0), c.window)
        else:
            indexed.append(k)
    min_shift = min(shifted, default=n + 1)
    scalar: tuple[list[int], list[list[int]]] | None = None
    windows = [c.window for c in constraints]
    s, prev = 0, np.iinfo(np.int64).min
    while s < n:
        e = min(n, s + min_shift)
        for k in indexed:
            back = backs[k]
            if back is not None:
                e = min(e, int(np.searchsorted(back, s, side="left")))
            else:
                e = min(e, s + constraints[k].limit)
        if e - s < MIN_BLOCK:
            if scalar is None:
                scalar = (
                    requested.tolist(),
                    [_back_list(b, c.limit, n) for b, c in zip(backs, constraints, strict=True)],
                )
            prev = _loop(s, e, scalar[0], scalar[1], windows, periods, out, prev, len(constraints))
            s = e
            continue
        block = requested[s:e].copy()
        if prev > block[0]:
            block[0] = prev
        for shift, window in shifted.items():
            first = max(s, shift)
            if first < e:
                part = block[first - s :]
                np.maximum(part, out[first - shift : e - shift] + window, out=part)
        for k in indexed:
            period = periods[k]
            back = backs[k]
            if back is not None:
                idx = back[s:e]
                valid = idx >= 0
                if not valid.any():
                    continue
                earlier = out[idx[valid]]
                bound = period.next_start(earlier) if period else earlier + constraints[k].window
                block[valid] = np.maximum(block[valid], bound)
            else:
                first = max(s, constraints[k].limit)
                if first < e and period is not None:
                    part = block[first - s :]
                    limit = constraints[k].limit
                    np.maximum(part, period.next_start(out[first - limit : e - limit]), out=part)
        np.maximum.accumulate(block, out=block)
        out[s:e] = block
        prev = int(block[-1])
        s = e
    return out, *_attribute(requested, out, backs, constraints, periods)


def _loop(
    s: int,
    e: int,
    requested: list[int],
    backs: list[list[int]],
    windows: list[int],
    periods: list[Periods | None],
    out: np.ndarray,
    prev: int,
    count: int,
) -> int:
    for i in range(s, e):
        t = requested[i]
        if prev > t:
            t = prev
        for k in range(count):
            m = backs[k][i]
            if m >= 0:
                period = periods[k]
                bound = period.next_start_one(int(out[m])) if period else int(out[m]) + windows[k]
                if bound > t:
                    t = bound
        out[i] = t
        prev = t
    return prev


def _attribute(
    requested: np.ndarray,
    sent: np.ndarray,
    backs: list[np.ndarray | None],
    constraints: Sequence[Constraint],
    periods: list[Periods | None],
) -> tuple[np.ndarray, np.ndarray]:
    """Outcome and deciding rule: the first rule that pushed a send past its queue, else the
    rule of the send before it (it waited behind that one)."""
    n = len(sent)
    previous = np.empty(n, dtype=np.int64)
    previous[0] = np.iinfo(np.int64).min
    previous[1:] = sent[:-1]
    delayed = sent > requested
    pushed = delayed & (sent > previous)
    rule = np.zeros(n, dtype=np.int32)
    candidates = np.flatnonzero(pushed)  # only these need a rule of their own
    found = np.zeros(len(candidates), dtype=np.int32)
    undecided = np.ones(len(candidates), dtype=bool)
    for k, c in enumerate(constraints):
        if not undecided.any():
            break
        back = backs[k]
        source = candidates - c.limit if back is None else back[candidates]
        usable = undecided & (source >= 0)
        earlier = sent[source[usable]]
        period = periods[k]
        bound = period.next_start(earlier) if period else earlier + c.window
        hit = np.flatnonzero(usable)[bound == sent[candidates[usable]]]
        found[hit] = c.rule.index
        undecided[hit] = False
    rule[candidates] = found
    # waiting behind the previous send: take over its rule (forward fill)
    source = np.where(delayed & ~pushed, 0, np.arange(n))
    np.maximum.accumulate(source, out=source)
    rule = rule[source]
    rule[~delayed] = 0
    outcome = np.where(delayed, DELAYED, SENT).astype(np.int8)
    return outcome, rule
