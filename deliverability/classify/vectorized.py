"""Vectorized classification of event frames: polars expressions built from the rule tables."""

from __future__ import annotations

import polars as pl

from deliverability.classify.rules import REPLY_IN_TEXT, STATUS_IN_TEXT, rule_base
from deliverability.schema import FAILURE_EVENTS, BounceTypeDtype
from deliverability.taxonomy import reason_attribute


def status_expr() -> pl.Expr:
    """The enhanced status code: the column, else the first one in the diagnostic text."""
    return pl.coalesce(pl.col("status"), pl.col("diagnostic").str.extract(STATUS_IN_TEXT, 1))


def reply_code_expr() -> pl.Expr:
    """The SMTP reply code: the column, else the one the diagnostic text starts with."""
    from_text = pl.col("diagnostic").str.extract(REPLY_IN_TEXT, 1).cast(pl.Int16, strict=False)
    return pl.coalesce(pl.col("smtp_code"), from_text)


def reason_expr(status: pl.Expr, reply_code: pl.Expr, diagnostic: pl.Expr) -> pl.Expr:
    """The reason by the documented precedence: text, full status, status detail, reply code."""
    rules = rule_base()
    text_reason: pl.Expr = pl.lit(None, dtype=pl.String)
    for rule in reversed(rules.text_rules):
        text_reason = (
            pl.when(diagnostic.str.contains(rule.pattern))
            .then(pl.lit(rule.reason))
            .otherwise(text_reason)
        )
    exact = status.replace_strict(rules.status_exact, default=None, return_dtype=pl.String)
    subject_detail = status.str.extract(r"^[245]\.(\d{1,3}\.\d{1,3})$", 1).replace_strict(
        rules.status_subject_detail, default=None, return_dtype=pl.String
    )
    by_reply = reply_code.replace_strict(rules.reply_codes, default=None, return_dtype=pl.String)
    return pl.coalesce(text_reason, exact, subject_detail, by_reply, pl.lit("undefined"))


def bounce_type_expr(status: pl.Expr, reply_code: pl.Expr, reason: pl.Expr) -> pl.Expr:
    """hard for 5xx, soft for 4xx, else the reason's default nature."""
    leading = pl.coalesce(status.str.slice(0, 1), reply_code.cast(pl.String).str.slice(0, 1))
    nature = reason_attribute("nature", reason, default="undetermined")
    return (
        pl.when(leading == "5")
        .then(pl.lit("hard"))
        .when(leading == "4")
        .then(pl.lit("soft"))
        .otherwise(nature)
        .cast(BounceTypeDtype)
    )


def classify_events(events: pl.LazyFrame) -> pl.LazyFrame:
    """Fill `status`, `smtp_code`, `reason` and (for bounces) `bounce_type` where the source did not.

    Values the source already gave are kept: the classifier only fills gaps.
    """
    is_failure = pl.col("event").cast(pl.String).is_in(FAILURE_EVENTS)
    diagnostic = pl.col("diagnostic").fill_null("")
    enriched = events.with_columns(
        status=pl.when(is_failure).then(status_expr()).otherwise(pl.col("status")),
        smtp_code=pl.when(is_failure).then(reply_code_expr()).otherwise(pl.col("smtp_code")),
    )
    reason = reason_expr(pl.col("status"), pl.col("smtp_code"), diagnostic)
    enriched = enriched.with_columns(
        reason=pl.when(is_failure & pl.col("reason").is_null())
        .then(reason)
        .otherwise(pl.col("reason"))
    )
    return enriched.with_columns(
        bounce_type=pl.when((pl.col("event") == "bounced") & pl.col("bounce_type").is_null())
        .then(bounce_type_expr(pl.col("status"), pl.col("smtp_code"), pl.col("reason")))
        .otherwise(pl.col("bounce_type"))
    )
