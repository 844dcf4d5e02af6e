"""Reasons and providers as data, with small loaders."""

from deliverability.taxonomy.providers import provider_expr, provider_map
from deliverability.taxonomy.reasons import (
    REASON_IDS,
    Reason,
    get_reason,
    reason_attribute,
    reasons,
    reasons_frame,
)

__all__ = [
    "REASON_IDS",
    "Reason",
    "get_reason",
    "provider_expr",
    "provider_map",
    "reason_attribute",
    "reasons",
    "reasons_frame",
]
