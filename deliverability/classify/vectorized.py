"""Vectorized classification: polars expressions built from the same rule tables.

Same rule base and precedence as the scalar path (`classify.codes`, see `classify.rules`);
tests and `benchmarks/bench_classify.py` check that both agree. `classify_events` fills gaps
in an event frame (millions of log rows). A log row knows no SMTP command and no DSN action,
so the context step of the mail path does not apply. To stay fast, the rules run once per
distinct (status, reply code, diagnostic) combination, after the parts of a diagnostic that no
rule reads (addresses, IP addresses, long numbers and ids) are masked; the result is joined
back to every row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import polars as pl

from deliverability.classify.rules import (
    COMMAND_GROUPS,
    COMMAND_IN_TEXT,
    COMMAND_NAMES,
    LOG_ROW_PRECEDENCE,
    REFINEMENTS,
    REPLY_IN_TEXT,
    STATUS_IN_TEXT,
    WEAK_REASONS,
    TextRule,
    merged,
    rule_base,
)
from deliverability.schema import FAILURE_EVENTS, BounceTypeDtype
from deliverability.taxonomy import reason_attribute

#: Parts of a (lower-cased) diagnostic that no rule reads; masked before the distinct texts
#: are classified: addresses, IPv4 addresses, long numbers, and long tokens mixing letters
#: and digits (queue and message ids).
MASKS = (
    (r"[a-z0-9._%+=-]+@[a-z0-9.-]+", "<adresse>"),
    (r"\b\d{1,3}(?:\.\d{1,3}){3}\b", "<ip>"),
    (r"\b\d{6,}\b", "<n>"),
    (r"[0-9a-z+/=_-]*(?:[0-9][a-z]|[a-z][0-9])[0-9a-z+/=_-]{8,}", "<id>"),
)
_NO_TEXT = pl.lit(None, dtype=pl.String)
#: A column of a frame or an expression: `gap_rows` reads either.
Column = TypeVar("Column", pl.Series, pl.Expr)


def status_expr() -> pl.Expr:
    """The enhanced status code: the column, else the first one in the diagnostic text."""
    return pl.coalesce(pl.col("status"), pl.col("diagnostic").str.extract(STATUS_IN_TEXT, 1))


def reply_code_expr() -> pl.Expr:
    """The SMTP reply code: the column, else the one the diagnostic text starts with."""
    from_text = pl.col("diagnostic").str.extract(REPLY_IN_TEXT, 1).cast(pl.Int16, strict=False)
    return pl.coalesce(pl.col("smtp_code"), from_text)


#: Readable placeholders for `mask_expr(..., for_display=True)`.
_DISPLAY_MASKS = {"<adresse>": "[Adresse]", "<ip>": "[IP]", "<n>": "[Nr.]", "<id>": "[ID]"}


def mask_expr(diagnostic: pl.Expr, *, for_display: bool = False) -> pl.Expr:
    """The diagnostic lower-cased, with addresses, IP addresses and ids masked.

    `for_display` keeps the case and uses readable German placeholders.
    """
    if not for_display:
        diagnostic = diagnostic.str.to_lowercase()
    for pattern, replacement in MASKS:
        if for_display:  # a masked part in brackets loses them: "[IP]", not "[[IP]]"
            pattern = f"(?i)\\[(?:{pattern})\\]|<(?:{pattern})>|(?:{pattern})"
            replacement = _DISPLAY_MASKS[replacement]
        diagnostic = diagnostic.str.replace_all(pattern, replacement, literal=False)
    return diagnostic


def clipped(text: pl.Expr, limit: int) -> pl.Expr:
    """`text` cut to at most `limit` characters, a cut one ending in "…"."""
    return (
        pl.when(text.str.len_chars() > limit)
        .then(text.str.slice(0, limit - 1) + "…")
        .otherwise(text)
    )


FINAL_MARK = "!"  # marks a reason from a `final` rule until the refinement has run


def _first_match(rules: tuple[TextRule, ...], diagnostic: pl.Expr) -> pl.Expr:
    result: pl.Expr = _NO_TEXT
    for rule in reversed(rules):
        label = rule.reason + (FINAL_MARK if rule.final else "")
        result = (
            pl.when(diagnostic.str.contains(rule.pattern)).then(pl.lit(label)).otherwise(result)
        )
    return result


def status_reason_expr(status: pl.Expr) -> pl.Expr:
    """The reason an enhanced status code stands for: exact code, else subject.detail."""
    rules = rule_base()
    exact = status.replace_strict(rules.status_exact, default=None, return_dtype=pl.String)
    subject_detail = status.str.extract(r"^[245]\.(\d{1,3}\.\d{1,3})$", 1).replace_strict(
        rules.status_subject_detail, default=None, return_dtype=pl.String
    )
    subject = status.str.extract(r"^[245]\.(\d{1,3})\.\d{1,3}$", 1).replace_strict(
        rules.status_subject, default=None, return_dtype=pl.String
    )
    return pl.coalesce(exact, subject_detail, subject)


def command_expr(diagnostic: pl.Expr) -> pl.Expr:
    """The SMTP command a (lower-case) diagnostic names, as RCPT/MAIL/DATA/…, else null."""
    named = pl.coalesce(
        [diagnostic.str.extract(COMMAND_IN_TEXT, group) for group in COMMAND_GROUPS]
    )
    return named.replace_strict(COMMAND_NAMES, default=None, return_dtype=pl.String)


def user_bounce_type_expr(diagnostic: pl.Expr) -> pl.Expr:
    """The bounce type the first matching analyst's rule fixes, else null."""
    result: pl.Expr = _NO_TEXT
    for rule in reversed(rule_base().user_texts):
        fixed = pl.lit(rule.bounce_type, dtype=pl.String)
        result = pl.when(diagnostic.str.contains(rule.pattern)).then(fixed).otherwise(result)
    return result


def unrefined_reason_expr(
    status_reason: pl.Expr, reply_code: pl.Expr, diagnostic: pl.Expr
) -> pl.Expr:
    """The reason by the documented precedence, before the refinement (`refinement_expr`);
    a reason from a `final` rule carries `FINAL_MARK`.

    `status_reason` is `status_reason_expr` of the status; `diagnostic` must already be lower
    case (the patterns are).
    """
    rules = rule_base()
    strong_status = pl.when(~status_reason.is_in(list(WEAK_REASONS))).then(status_reason)
    by_reply = reply_code.replace_strict(rules.reply_codes, default=None, return_dtype=pl.String)
    has_text = diagnostic.fill_null("").str.strip_chars().str.len_chars() > 0
    fallback = pl.when(has_text).then(pl.lit("onhold")).otherwise(pl.lit("undefined"))
    steps = {
        "user_text": _first_match(rules.user_texts, diagnostic),  # final: never refined
        "specific_text": _first_match(merged(rules.specific_texts), diagnostic),
        "strong_status": strong_status,
        "general_text": _first_match(merged(rules.general_texts), diagnostic),
        "status": status_reason,
        "reply_code": by_reply,
        "fallback": fallback,
    }
    return pl.coalesce([steps[step] for step in LOG_ROW_PRECEDENCE])


def with_reason(
    frame: pl.LazyFrame, status: str, reply_code: str, diagnostic: str, *, name: str
) -> pl.LazyFrame:
    """`frame` with column `name`: the reason by the documented precedence, refinement
    included, from its columns `status`, `reply_code` and (lower-case) `diagnostic`. A log
    row knows the SMTP command only where its text names it.

    Built in steps over columns: as one expression, the refinement would repeat the whole
    rule chain in every step, and polars would evaluate that tree (0.2 s per call) again.
    """
    status_reason, command, unrefined = "_status_reason", "_command", "_unrefined"
    return (
        frame.with_columns(
            status_reason_expr(pl.col(status)).alias(status_reason),
            command_expr(pl.col(diagnostic)).alias(command),
        )
        .with_columns(
            unrefined_reason_expr(
                pl.col(status_reason), pl.col(reply_code), pl.col(diagnostic)
            ).alias(unrefined)
        )
        .with_columns(
            refinement_expr(
                pl.col(unrefined), pl.col(status_reason), pl.col(command), pl.col(status)
            )
            .str.strip_suffix(FINAL_MARK)
            .alias(name)
        )
        .drop(status_reason, command, unrefined)
    )


def refinement_expr(
    reason: pl.Expr, status_reason: pl.Expr, command: pl.Expr, status: pl.Expr
) -> pl.Expr:
    """The refinement steps of `rules.REFINEMENTS` as one expression (the first that applies
    wins). A reason from a `final` rule carries `FINAL_MARK` and is never refined."""
    command = command.fill_null("")
    subject = status.str.extract(r"^[245]\.(\d{1,3})\.", 1)
    result = reason
    for step in reversed(REFINEMENTS):
        applies = reason.is_in(list(step.reasons))
        if step.commands:
            applies = applies & command.is_in(list(step.commands))
        if step.not_commands:
            applies = applies & ~command.is_in(list(step.not_commands))
        if step.status_subjects:
            applies = applies & subject.is_in(list(step.status_subjects)).fill_null(False)
        if step.unless_status_says is not None:
            applies = applies & (status_reason.fill_null("") != step.unless_status_says)
        result = pl.when(applies).then(pl.lit(step.result)).otherwise(result)
    return result


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


def classify_codes(codes: pl.LazyFrame) -> pl.LazyFrame:
    """Add `_reason` (and `_fixed_type`, the bounce type an analyst's rule fixes) to a frame
    of `status`, `smtp_code`, `diagnostic` (one row per failure).

    The rules run once per distinct masked combination (keyed by a 64-bit hash), then the
    result is joined back in the original row order.
    """
    keyed = codes.with_columns(_masked=mask_expr(pl.col("diagnostic").fill_null(""))).with_columns(
        _key=pl.concat_str(
            [
                pl.col("status").fill_null("-"),
                pl.col("smtp_code").cast(pl.String).fill_null("-"),
                pl.col("_masked"),
            ],
            separator="\x1f",
        ).hash()
    )
    distinct = (
        keyed.select("_key", "status", "smtp_code", "_masked")
        .unique(subset="_key")
        .pipe(with_reason, "status", "smtp_code", "_masked", name="_reason")
        .with_columns(
            _user_reason=_first_match(rule_base().user_texts, pl.col("_masked")).str.strip_suffix(
                FINAL_MARK
            ),
            _fixed_type=user_bounce_type_expr(pl.col("_masked")),
        )
        .select("_key", "_reason", "_user_reason", "_fixed_type")
    )
    return keyed.join(distinct, on="_key", how="left", maintain_order="left").drop(
        "_masked", "_key"
    )


def classify_events(events: pl.LazyFrame) -> pl.LazyFrame:
    """Fill `status`, `smtp_code`, `reason` and (for bounces) `bounce_type` where the source did not.

    Values the source already gave are kept: the classifier only fills gaps. The analyst's own
    rules (`--rules`) are the exception: where one matches, its reason (and bounce type, if it
    names one) wins over the source's, as over the shipped rules. Only failures are looked
    at; the other rows pass through untouched, after them (sort if the order matters).
    """
    is_failure = pl.col("event").cast(pl.String).is_in(FAILURE_EVENTS).fill_null(False)
    failures = classify_failures(events.filter(is_failure))
    return pl.concat([failures, events.filter(~is_failure)], how="vertical_relaxed")


def classify_failures(failures: pl.LazyFrame) -> pl.LazyFrame:
    """`classify_events` for rows that are all failures, in their order."""
    enriched = failures.with_columns(status=status_expr(), smtp_code=reply_code_expr())
    enriched = (
        classify_codes(enriched)
        .with_columns(
            reason=pl.when(pl.col("_user_reason").is_not_null())
            .then(pl.col("_user_reason"))
            .when(pl.col("reason").is_null())
            .then(pl.col("_reason"))
            .otherwise(pl.col("reason"))
        )
        .drop("_reason", "_user_reason")
    )
    by_codes = bounce_type_expr(pl.col("status"), pl.col("smtp_code"), pl.col("reason"))
    bounced = pl.col("event") == "bounced"
    return enriched.with_columns(
        bounce_type=pl.when(bounced & pl.col("_fixed_type").is_not_null())
        .then(pl.col("_fixed_type").cast(BounceTypeDtype))
        .when(bounced & pl.col("bounce_type").is_null())
        .then(by_codes)
        .otherwise(pl.col("bounce_type"))
    ).drop("_fixed_type")


#: The columns `classify_events` fills.
FILLED = ("status", "smtp_code", "reason", "bounce_type")


def _rows_to_classify(events: pl.DataFrame) -> pl.Series:
    """The rows `classify_events` could change (`gap_rows` of the frame's columns)."""
    # on the columns, not the frame: a frame select would first align the chunks of all columns
    return gap_rows(events.get_column)


def gap_rows(column: Callable[[str], Column]) -> Column:
    """Which rows `classify_events` could change, from the columns `column` gives (series of
    a frame, or `pl.col` for an expression): failures where a column it fills is empty (the
    bounce type of a bounce), or every failure while the analyst's rules, which override the
    source, are in force. Elsewhere it keeps every value the source gave."""
    is_failure = column("event").is_in(list(FAILURE_EVENTS)).fill_null(False)
    if rule_base().user_texts:
        return is_failure
    bounce_without_type = (column("event") == "bounced") & column("bounce_type").is_null()
    gap = (
        column("status").is_null()
        | column("smtp_code").is_null()
        | column("reason").is_null()
        | bounce_without_type.fill_null(False)
    )
    return is_failure & gap


def classify_frame(events: pl.DataFrame) -> pl.DataFrame:
    """`classify_events` for a frame in memory, rows kept in their order: the rows it could
    change (`_rows_to_classify`) are classified on their own and the columns the classifier
    changed are written back at their positions. Where the source left no gap and no
    analyst's rules are in force, there is nothing to do and `events` comes back as it is."""
    to_classify = _rows_to_classify(events)
    positions = to_classify.arg_true()
    if positions.is_empty():
        return events
    before = events.filter(to_classify)
    failures = classify_events(before.lazy()).collect()
    changed = []  # a column the classifier left as it was is not copied to be written back
    for name in FILLED:
        filled = failures.get_column(name).cast(events.schema[name])
        if filled.ne_missing(before.get_column(name)).any():
            changed.append(events.get_column(name).scatter(positions, filled))
    return events.with_columns(changed) if changed else events
