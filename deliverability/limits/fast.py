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

from deliverability.limits.constraints import DELAYED, SENT, Constraint
from deliverability.limits.periods import Periods

#: Blocks shorter than this run as a plain Python loop (numpy overhead would dominate).
MIN_BLOCK = 48


def applies(constraints: Sequence[Constraint]) -> bool:
    """True when the fast path gives the same result as the general engine."""
    return all(c.scope == "account" and c.waits for c in constraints)


def look_backs(weights: np.ndarray, constraints: Sequence[Constraint]) -> list[np.ndarray]:
    """For each constraint, L(i): the send that must have left the window (-1: none)."""
    n = len(weights)
    index = np.arange(n, dtype=np.int64)
    cumulative = np.cumsum(weights, dtype=np.int64)  # recipients so far
    result = []
    for c in constraints:
        if c.by_recipients:
            target = cumulative - c.limit
            found = np.searchsorted(cumulative, target, side="left").astype(np.int64)
            result.append(np.where(target <= 0, -1, found))
        else:
            result.append(np.maximum(index - c.limit, -1))
    return result


def replay_fast(
    requested: np.ndarray,
    weights: np.ndarray,
    constraints: Sequence[Constraint],
    timezone: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sends sorted by requested time, none heavier than any limit → (sent_at, outcome, rule)."""
    n = len(requested)
    sent = np.empty(n, dtype=np.int64)
    if n == 0:
        return sent, np.zeros(0, dtype=np.int8), np.zeros(0, dtype=np.int32)
    start = int(requested.min())
    periods = [Periods(c.period, timezone, start) if c.period else None for c in constraints]
    backs = look_backs(weights, constraints)
    windows = [c.window for c in constraints]
    back_lists = [b.tolist() for b in backs]
    req_list = requested.tolist()
    out = sent  # filled block by block
    s, prev = 0, np.iinfo(np.int64).min
    count = len(constraints)
    while s < n:
        e = n
        for b in backs:
            e = min(e, int(np.searchsorted(b, s, side="left")))
        if e - s < MIN_BLOCK:
            prev = _loop(s, e, req_list, back_lists, windows, periods, out, prev, count)
        else:
            block = requested[s:e].copy()
            block[0] = max(block[0], prev)
            for k in range(count):
                idx = backs[k][s:e]
                valid = idx >= 0
                if not valid.any():
                    continue
                earlier = out[idx[valid]]
                period = periods[k]
                bound = period.next_start(earlier) if period else earlier + windows[k]
                block[valid] = np.maximum(block[valid], bound)
            np.maximum.accumulate(block, out=block)
            out[s:e] = block
            prev = int(block[-1])
        s = e
    return sent, *_attribute(requested, sent, backs, constraints, periods)


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
    backs: list[np.ndarray],
    constraints: Sequence[Constraint],
    periods: list[Periods | None],
) -> tuple[np.ndarray, np.ndarray]:
    """Outcome and deciding rule: the first rule that pushed a send past its queue, else the
    rule of the send before it (it waited behind that one)."""
    n = len(sent)
    previous = np.concatenate([[np.iinfo(np.int64).min], sent[:-1]])
    delayed = sent > requested
    pushed = delayed & (sent > previous)
    rule = np.zeros(n, dtype=np.int32)
    undecided = pushed.copy()
    for k, c in enumerate(constraints):
        idx = backs[k]
        valid = undecided & (idx >= 0)
        if not valid.any():
            continue
        earlier = sent[idx[valid]]
        period = periods[k]
        bound = period.next_start(earlier) if period else earlier + c.window
        hit = np.zeros(n, dtype=bool)
        hit[np.flatnonzero(valid)] = bound == sent[valid]
        rule[hit] = c.rule.index
        undecided &= ~hit
    # waiting behind the previous send: take over its rule (forward fill)
    source = np.where(delayed & ~pushed, 0, np.arange(n))
    np.maximum.accumulate(source, out=source)
    rule = rule[source]
    rule[~delayed] = 0
    outcome = np.where(delayed, DELAYED, SENT).astype(np.int8)
    return outcome, rule
