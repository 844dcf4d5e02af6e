"""Failure classification: rules as data, one scalar and one vectorized path.

The vectorized path (polars) loads on first use, so that classifying a bounce mail starts
without importing polars.
"""

from __future__ import annotations

from typing import Any

from deliverability.classify.codes import Verdict, classify_failure

__all__ = ["Verdict", "classify_events", "classify_failure"]


def __getattr__(name: str) -> Any:
    if name == "classify_events":
        from deliverability.classify.vectorized import classify_events

        return classify_events
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
