"""The general replay engine: every rule kind, scope and action, one send after the other.

Sends of one account are simulated like an MTA: each queue (the account, or one per recipient
domain, provider or mailbox when the profile has such rules) sends first-in-first-out; at any
moment the send that can go earliest goes next. A send goes at the earliest time at which no
waiting rule (`delay`, `next_window`) would be over its limit; then a `reject` rule over its
limit fails it, a `lockout` rule over its limit fails it and blocks its scope for the lockout
time, and every send inside a lockout fails as `blocked`. Sends that fail do not count.
"""

from __future__ import annotations

import bisect
import heapq
from collections import deque
from collections.abc import Mapping, Sequence

import numpy as np

from deliverability.limits.calendar import Periods
from deliverability.limits.constraints import (
    BLOCKED,
    DELAYED,
    REJECTED,
    Constraint,
)
from deliverability.limits.profile import Rule

_FINENESS = ("recipient", "domain", "provider")


class _Rolling:
    """Placed sends of one constraint and scope key: times and cumulative weights."""

    __slots__ = ("cumulative", "times")

    def __init__(self) -> None:
        self.times: list[int] = []
        self.cumulative: list[int] = []

    def earliest(self, t: int, weight: int, constraint: Constraint) -> int:
        total = self.cumulative[-1] if self.cumulative else 0
        need = total + weight - constraint.limit
        if need <= 0:
            return t
        m = bisect.bisect_left(self.cumulative, need)
        return max(t, self.times[m] + constraint.window)

    def usage(self, t: int, constraint: Constraint) -> int:
        total = self.cumulative[-1] if self.cumulative else 0
        k = bisect.bisect_right(self.times, t - constraint.window) - 1
        return total - (self.cumulative[k] if k >= 0 else 0)

    def add(self, t: int, weight: int) -> None:
        self.times.append(t)
        self.cumulative.append((self.cumulative[-1] if self.cumulative else 0) + weight)


class _Calendar:
    __slots__ = ("periods", "start", "used")

    def __init__(self, periods: Periods) -> None:
        self.periods = periods
        self.start = -1
        self.used = 0

    def usage(self, t: int, constraint: Constraint | None = None) -> int:
        """Messages counted in the calendar period containing ``t`` (the period is the window)."""
        return self.used if self.periods.start_one(t) == self.start else 0

    def earliest(self, t: int, weight: int, constraint: Constraint) -> int:
        if self.usage(t) + weight <= constraint.limit:
            return t
        return self.periods.next_start_one(t)

    def add(self, t: int, weight: int) -> None:
        start = self.periods.start_one(t)
        if start != self.start:
            self.start, self.used = start, 0
        self.used += weight


def _empty_result(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """sent_at (-1: never), outcome (sent) and deciding rule (none) for n sends."""
    return (
        np.full(n, -1, dtype=np.int64),
        np.zeros(n, dtype=np.int8),
        np.zeros(n, dtype=np.int32),
    )


def _periods(
    requested: np.ndarray, constraints: Sequence[Constraint], timezone: str
) -> dict[str, Periods]:
    start = int(requested.min())
    return {c.period: Periods(c.period, timezone, start) for c in constraints if c.period}


def queue_scope(constraints: Sequence[Constraint]) -> str:
    """The finest scope among waiting rules: the queues sends wait in (FIFO within each)."""
    scopes = {c.scope for c in constraints if c.waits}
    return next((scope for scope in _FINENESS if scope in scopes), "account")


def replay_general(
    requested: np.ndarray,
    weights: np.ndarray,
    keys: Mapping[str, Sequence[str]],
    constraints: Sequence[Constraint],
    per_message: Sequence[Rule],
    timezone: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sends of one account, sorted by requested time → (sent_at, outcome, rule index).

    `keys` gives each send's recipient domain, provider and mailbox (`domain`, `provider`,
    `recipient`); `sent_at` is -1 for sends that never go.
    """
    n = len(requested)
    sent, outcome, rule_of = _empty_result(n)
    if n == 0:
        return sent, outcome, rule_of
    periods = _periods(requested, constraints, timezone)
    states: list[dict[str, _Rolling | _Calendar]] = [{} for _ in constraints]
    lockouts: dict[tuple[str, str], tuple[int, int]] = {}  # (scope, key) → (until, rule)

    def key_of(scope: str, i: int) -> str:
        return "" if scope == "account" else keys[scope][i]

    def state(k: int, i: int) -> _Rolling | _Calendar:
        c = constraints[k]
        key = key_of(c.scope, i)
        found = states[k].get(key)
        if found is None:
            found = _Calendar(periods[c.period]) if c.period else _Rolling()
            states[k][key] = found
        return found

    qscope = queue_scope(constraints)
    queues: dict[str, deque[int]] = {}
    for i in range(n):
        queues.setdefault(key_of(qscope, i), deque()).append(i)
    last_time: dict[str, int] = {}
    last_rule: dict[str, int] = {}
    heap = [(int(requested[q[0]]), q[0], name) for name, q in queues.items()]
    heapq.heapify(heap)
    waiting = [k for k, c in enumerate(constraints) if c.waits]
    failing = [k for k, c in enumerate(constraints) if not c.waits]
    pending: dict[int, int] = {}

    def advance(name: str) -> None:
        queue = queues[name]
        queue.popleft()
        if queue:
            j = queue[0]
            heapq.heappush(heap, (max(int(requested[j]), last_time.get(name, -1)), j, name))

    while heap:
        key_time, i, name = heapq.heappop(heap)
        w = int(weights[i])
        too_many = next((r for r in per_message if w > (r.max_recipients_per_message or 0)), None)
        if too_many is not None:
            outcome[i], rule_of[i] = REJECTED, too_many.index
            advance(name)
            continue

        def weight(k: int, w: int = w) -> int:
            return w if constraints[k].by_recipients else 1

        never = next((k for k in waiting if weight(k) > constraints[k].limit), None)
        if never is not None:
            outcome[i], rule_of[i] = REJECTED, constraints[never].rule.index
            advance(name)
            continue
        t0 = key_time
        t, binding = t0, 0
        for k in waiting:
            earliest = state(k, i).earliest(t0, weight(k), constraints[k])
            if earliest > t:
                t, binding = earliest, constraints[k].rule.index
        if t > key_time:
            pending[i] = binding  # the rule that made it wait, kept for the attribution
            heapq.heappush(heap, (t, i, name))  # state may still change before t
            continue
        binding = binding or pending.pop(i, 0)
        locked = next(
            (
                entry[1]
                for scope in ("account", *_FINENESS)
                if (entry := lockouts.get((scope, key_of(scope, i)))) is not None and entry[0] > t
            ),
            None,
        )
        if locked is not None:
            outcome[i], rule_of[i] = BLOCKED, locked
            advance(name)
            continue
        over = next(
            (k for k in failing if state(k, i).usage(t, constraints[k]) + weight(k) > constraints[k].limit),
            None,
        )  # fmt: skip
        if over is not None:  # the first constraint that fails the send decides
            c = constraints[over]
            rule_of[i] = c.rule.index
            outcome[i] = BLOCKED if c.action == "lockout" else REJECTED
            if c.action == "lockout":
                lockouts[(c.scope, key_of(c.scope, i))] = (t + (c.rule.lockout or 0), c.rule.index)
            advance(name)
            continue
        for k in range(len(constraints)):
            state(k, i).add(t, weight(k))
        r = int(requested[i])
        sent[i] = t
        if t > r:
            outcome[i] = DELAYED
            rule_of[i] = binding if binding else last_rule.get(name, 0)
        last_time[name] = t
        last_rule[name] = int(rule_of[i])
        advance(name)
    return sent, outcome, rule_of


def replay_account(
    requested: np.ndarray,
    weights: np.ndarray,
    constraints: Sequence[Constraint],
    per_message: Sequence[Rule],
    timezone: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`replay_general` for profiles whose rules all apply to the whole account.

    One queue: sends are decided in requested order, without the heap and the per-key state
    lookups of the general engine (same results; the tests compare both).
    """
    n = len(requested)
    sent, outcome, rule_of = _empty_result(n)
    if n == 0:
        return sent, outcome, rule_of
    periods = _periods(requested, constraints, timezone)
    states = [_Calendar(periods[c.period]) if c.period else _Rolling() for c in constraints]
    waiting = [(states[k], c) for k, c in enumerate(constraints) if c.waits]
    failing = [(states[k], c) for k, c in enumerate(constraints) if not c.waits]
    caps = [(r.max_recipients_per_message or 0, r.index) for r in per_message]
    locked_until, locked_rule = -1, 0
    last_time, last_rule = -1, 0
    for i, (r, w) in enumerate(zip(requested.tolist(), weights.tolist(), strict=True)):
        too_many = next((index for cap, index in caps if w > cap), 0)
        if too_many:
            outcome[i], rule_of[i] = REJECTED, too_many
            continue
        never = next((c for _, c in waiting if (w if c.by_recipients else 1) > c.limit), None)
        if never is not None:
            outcome[i], rule_of[i] = REJECTED, never.rule.index
            continue
        t0 = r if r > last_time else last_time
        t, binding = t0, 0
        for state, c in waiting:
            earliest = state.earliest(t0, w if c.by_recipients else 1, c)
            if earliest > t:
                t, binding = earliest, c.rule.index
        if locked_until > t:
            outcome[i], rule_of[i] = BLOCKED, locked_rule
            continue
        failed = False
        for state, c in failing:
            weight = w if c.by_recipients else 1
            used = state.usage(t, c)
            if used + weight > c.limit:
                failed = True
                rule_of[i] = c.rule.index
                if c.action == "lockout":
                    outcome[i] = BLOCKED
                    locked_until, locked_rule = t + (c.rule.lockout or 0), c.rule.index
                else:
                    outcome[i] = REJECTED
                break
        if failed:
            continue
        for state, c in zip(states, constraints, strict=True):
            state.add(t, w if c.by_recipients else 1)
        sent[i] = t
        if t > r:
            outcome[i] = DELAYED
            rule_of[i] = binding or last_rule
        last_time, last_rule = t, int(rule_of[i])
    return sent, outcome, rule_of
