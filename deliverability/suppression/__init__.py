"""The suppression list (Sperrliste): policy, state with history, restores, exports."""

from deliverability.suppression.listing import (
    GENERIC_COLUMNS,
    address_key,
    generic_export_frame,
    suppression_events,
    suppression_list,
)
from deliverability.suppression.policy import SuppressionPolicy, load_policy

__all__ = [
    "GENERIC_COLUMNS",
    "SuppressionPolicy",
    "address_key",
    "generic_export_frame",
    "load_policy",
    "suppression_events",
    "suppression_list",
]
