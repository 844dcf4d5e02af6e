"""Reasons and providers as data, with small loaders.

The polars helpers (`provider_expr`, `reason_attribute` …) load on first use, so that
classifying a bounce mail starts without importing polars.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from deliverability.taxonomy.reasons import REASON_IDS, Reason, get_reason, reasons

_LAZY = {
    "provider_expr": "deliverability.taxonomy.providers",
    "provider_map": "deliverability.taxonomy.providers",
    "reason_attribute": "deliverability.taxonomy.frames",
    "reasons_frame": "deliverability.taxonomy.frames",
}

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


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
