"""A profile's rules as flat constraints: one per window limit and one per burst."""

from __future__ import annotations

from dataclasses import dataclass

from deliverability.limits.profile import Profile, Rule

#: Outcome codes of the engines (see `replay.OUTCOMES`).
SENT, DELAYED, REJECTED, BLOCKED = 0, 1, 2, 3
WAITING = ("delay", "next_window")


@dataclass(frozen=True)
class Constraint:
    """At most `limit` messages (or recipients) per window or calendar period, in one scope."""

    rule: Rule
    scope: str
    window: int  # seconds (rolling)
    period: str | None  # calendar period, None for rolling
    limit: int
    by_recipients: bool
    action: str
    is_burst: bool = False

    @property
    def waits(self) -> bool:
        return self.action in WAITING


def constraints_of(profile: Profile) -> list[Constraint]:
    """Window limits and bursts of all rules, in profile order (a rule's window before its burst)."""
    result = []
    for rule in profile.rules:
        if rule.limit is not None and rule.window is not None:
            result.append(
                Constraint(
                    rule,
                    rule.scope,
                    rule.window,
                    rule.period,
                    rule.limit,
                    rule.unit == "recipients",
                    rule.on_exceed,
                )
            )
        if rule.burst is not None:
            result.append(
                Constraint(rule, rule.scope, 1, None, rule.burst, False, rule.on_exceed, True)
            )
    return result


def per_message_rules(profile: Profile) -> list[Rule]:
    return [rule for rule in profile.rules if rule.max_recipients_per_message is not None]
