"""The suppression list (Sperrliste): policy, state with history, restores, exports."""

from deliverability.suppression.addresses import address_key, normalize_address, normalize_email
from deliverability.suppression.exports import FORMATS, export_frame, write_export
from deliverability.suppression.policy import SuppressionPolicy, load_policy
from deliverability.suppression.state import build_state, empty_history
from deliverability.suppression.store import StateDir

__all__ = [
    "FORMATS",
    "StateDir",
    "SuppressionPolicy",
    "address_key",
    "build_state",
    "empty_history",
    "export_frame",
    "load_policy",
    "normalize_address",
    "normalize_email",
    "write_export",
]
