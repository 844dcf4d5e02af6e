"""Fast replay when no rule waits: account rules that reject or lock out, one recipient per send.

Without a waiting rule every send goes at its requested time or not at all, so only the
sequence of accepted sends matters. With r sorted and a_k the index of the k-th accepted
send, a rule of N per window lets send i go iff the N-th most recent accepted send a_{k-N}
has left the window by r_i, that is r_i >= f(r[a_{k-N}]) with f(t) = t + window (rolling) or
the start of the period after t (calendar). Hence

    a_k = max(a_{k-1} + 1, floor, max over rules of the first i with r_i >= f(r[a_{k-N}])),

computed in blocks of the smallest N, whose look-backs all fall before the block: one
searchsorted per rule and a running maximum. A send that is not accepted failed the first
rule, in profile order, that is full at its time; when that rule locks out, the sends until
the lock ends are blocked and the recursion resumes after them (`floor`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from deliverability.limits.calendar import Periods
from deliverability.limits.constraints import BLOCKED, REJECTED, Constraint
from deliverability.limits.fast import MIN_BLOCK
from deliverability.limits.profile import Rule


def applies(
    constraints: Sequence[Constraint], per_message: Sequence[Rule], weights: np.ndarray
) -> bool:
    """True when the recursion gives the same result as the general engine: account rules
    that never wait, large enough for blocks, and sends of one recipient each."""
    return (
        bool(constraints)
        and all(c.scope == "account" and not c.waits for c in constraints)
        and min(c.limit for c in constraints) >= MIN_BLOCK
        and all((r.max_recipients_per_message or 0) >= 1 for r in per_message)
        and bool((weights == 1).all())
    )


class _Release:
    """f for each constraint: when a send at time t stops counting against it."""

    def __init__(self, constraints: Sequence[Constraint], timezone: str, start: int) -> None:
        self.periods = {
            c.period: Periods(c.period, timezone, start) for c in constraints if c.period
        }

    def __call__(self, c: Constraint, times: np.ndarray) -> np.ndarray:
        if c.period is None:
            return times + c.window
        return self.periods[c.period].next_start(times)


def replay_failing(
    requested: np.ndarray, constraints: Sequence[Constraint], timezone: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sends sorted by requested time → (sent_at or -1, outcome, deciding rule)."""
    n = len(requested)
    sent = np.full(n, -1, dtype=np.int64)
    outcome = np.full(n, REJECTED, dtype=np.int8)
    rule_of = np.zeros(n, dtype=np.int32)
    if n == 0:
        return sent, outcome, rule_of
    release = _Release(constraints, timezone, int(requested.min()))
    rule_numbers = np.array([c.rule.index for c in constraints], dtype=np.int32)
    locking = np.array([c.action == "lockout" for c in constraints])
    accepted = np.empty(n, dtype=np.int64)
    count, floor = 0, 0
    block = min(c.limit for c in constraints)
    steps = np.arange(block, dtype=np.int64)
    while floor < n:
        earliest = np.full(block, floor, dtype=np.int64)
        for c in constraints:
            back = steps + (count - c.limit)
            known = back >= 0
            if known.any():
                until = release(c, requested[accepted[back[known]]])
                found = np.searchsorted(requested, until, side="left")
                earliest[known] = np.maximum(earliest[known], found)
        previous = int(accepted[count - 1]) + 1 if count else 0
        chosen = np.maximum.accumulate(np.maximum(earliest - steps, previous)) + steps
        chosen = chosen[chosen < n]
        end = int(chosen[-1]) + 1 if len(chosen) == block else n
        accepted[count : count + len(chosen)] = chosen
        gap = np.setdiff1d(
            np.arange(max(previous, floor), end, dtype=np.int64), chosen, assume_unique=True
        )
        failed = _first_failing(
            gap, accepted[: count + len(chosen)], requested, constraints, release
        )
        locks = np.flatnonzero(locking[failed])
        floor = end
        if len(locks):  # the first lockout: later decisions of this block do not stand
            p, c = int(gap[locks[0]]), constraints[int(failed[locks[0]])]
            chosen = chosen[chosen < p]
            gap, failed = gap[: locks[0]], failed[: locks[0]]
            lock_end = int(requested[p]) + (c.rule.lockout or 0)
            floor = max(p + 1, int(np.searchsorted(requested, lock_end, side="left")))
            outcome[p:floor] = BLOCKED
            rule_of[p:floor] = c.rule.index
        rule_of[gap] = rule_numbers[failed]
        count += len(chosen)
    done = accepted[:count]
    sent[done] = requested[done]
    outcome[done], rule_of[done] = 0, 0
    return sent, outcome, rule_of


def _first_failing(
    sends: np.ndarray,
    accepted: np.ndarray,
    requested: np.ndarray,
    constraints: Sequence[Constraint],
    release: _Release,
) -> np.ndarray:
    """For sends not accepted: the index of the first constraint that is full at their time."""
    failed = np.full(len(sends), -1, dtype=np.int64)
    if not len(sends):
        return failed
    before = np.searchsorted(accepted, sends, side="left")  # accepted sends before each
    for k, c in enumerate(constraints):
        open_ = failed < 0
        back = before - c.limit
        candidate = open_ & (back >= 0)
        if not candidate.any():
            continue
        until = release(c, requested[accepted[back[candidate]]])
        full = requested[sends[candidate]] < until
        index = np.flatnonzero(candidate)[full]
        failed[index] = k
    return failed
