"""Failure classification: rules as data, one scalar and one vectorized path."""

from deliverability.classify.codes import Verdict, classify_failure
from deliverability.classify.vectorized import classify_events

__all__ = ["Verdict", "classify_events", "classify_failure"]
