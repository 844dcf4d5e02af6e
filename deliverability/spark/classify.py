"""Classification in Spark SQL, generated from the polars path's rule tables.

`classify.vectorized` builds polars expressions from `classify/rules/*.csv` and the taxonomy;
this module builds the same expressions as Spark SQL columns from the same objects
(`rule_base()`, the masks, `STATUS_IN_TEXT`, `REPLY_IN_TEXT`). Nothing is restated: a rule
added to a table works on both engines, and the tests compare them row by row.

Regular expressions: the tables are written for RE2/Rust syntax (linear-time engines).
Java's `java.util.regex`, which Spark uses, reads the same syntax for everything the tables
use; two flags make it behave alike: ``(?U)`` (Unicode classes, as Rust's defaults) and
``(?d)`` (only ``\\n`` ends a line, as in Rust). `java_regex` adds them and
`unsupported_constructs` names what Java would read differently (checked in the tests for
every pattern). One difference remains by nature: Java 17 knows Unicode 13, the Rust engine a
later version, so a word boundary next to a character added since (a CJK ideograph of 2023,
say) can differ; server replies are not written in those.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from deliverability.classify.rules import (
    COMMAND_GROUPS,
    COMMAND_IN_TEXT,
    COMMAND_NAMES,
    FILTER_SUBJECTS,
    LOG_ROW_PRECEDENCE,
    REPLY_IN_TEXT,
    STATUS_IN_TEXT,
    WEAK_REASONS,
    TextRule,
    merged,
    rule_base,
)
from deliverability.classify.vectorized import FINAL_MARK, MASKS
from deliverability.schema import FAILURE_EVENTS
from deliverability.spark.frames import lookup, reason_attribute

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame

#: Constructs Rust and Java read differently (or only one of them knows).
_DIFFERENT = {
    r"&&": "Schnittmenge in Zeichenklassen",
    r"\[\[": "verschachtelte Zeichenklasse",
    r"\(\?P<": "benannte Gruppe in Python-Schreibweise",
    r"\\[hHvVzZAG]": "Anker oder Klasse mit anderer Bedeutung",
    r"\\x\{": "Hex-Escape mit Klammern",
    r"\{,": "Wiederholung ohne Untergrenze",
}


def unsupported_constructs(pattern: str) -> list[str]:
    """What in `pattern` Java's regex engine would read differently from Rust/RE2."""
    return [text for construct, text in _DIFFERENT.items() if re.search(construct, pattern)]


def java_regex(pattern: str) -> str:
    """A rule pattern for Spark's `rlike`/`regexp_*`: Unicode classes, `\\n` as line end."""
    return f"(?Ud){pattern}"


def _extract(column: Column, pattern: str) -> Column:
    """Group 1 of the first match, null when none (Spark returns an empty string)."""
    from pyspark.sql import functions as F

    return F.nullif(F.regexp_extract(column, java_regex(pattern), 1), F.lit(""))


def status_col() -> Column:
    """The enhanced status code: the column, else the first one in the diagnostic text."""
    from pyspark.sql import functions as F

    return F.coalesce(F.col("status"), _extract(F.col("diagnostic"), STATUS_IN_TEXT))


def reply_code_col() -> Column:
    """The SMTP reply code: the column, else the one the diagnostic text starts with."""
    from pyspark.sql import functions as F

    from_text = _extract(F.col("diagnostic"), REPLY_IN_TEXT).try_cast("smallint")
    return F.coalesce(F.col("smtp_code"), from_text)


def mask_col(diagnostic: Column) -> Column:
    """The diagnostic lower-cased with addresses, IP addresses and ids masked."""
    from pyspark.sql import functions as F

    masked = F.lower(diagnostic)
    for pattern, replacement in MASKS:
        masked = F.regexp_replace(masked, java_regex(pattern), replacement)
    return masked


def _first_match(rules: tuple[TextRule, ...], diagnostic: Column) -> Column:
    from pyspark.sql import functions as F

    result: Column | None = None
    for rule in rules:
        label = F.lit(rule.reason + (FINAL_MARK if rule.final else ""))
        condition = diagnostic.rlike(java_regex(rule.pattern))
        result = F.when(condition, label) if result is None else result.when(condition, label)
    return result if result is not None else F.lit(None).cast("string")


def status_reason_col(status: Column) -> Column:
    """The reason an enhanced status code stands for: exact code, else subject.detail."""
    from pyspark.sql import functions as F

    rules = rule_base()
    exact = lookup(rules.status_exact, status)
    subject_detail = lookup(
        rules.status_subject_detail, _extract(status, r"^[245]\.(\d{1,3}\.\d{1,3})$")
    )
    subject = lookup(rules.status_subject, _extract(status, r"^[245]\.(\d{1,3})\.\d{1,3}$"))
    return F.coalesce(exact, subject_detail, subject)


def command_col(diagnostic: Column) -> Column:
    """The SMTP command a (lower-case) diagnostic names, as RCPT/MAIL/DATA/…, else null."""
    from pyspark.sql import functions as F

    named = F.coalesce(*[_group(diagnostic, COMMAND_IN_TEXT, group) for group in COMMAND_GROUPS])
    return lookup(COMMAND_NAMES, named)


def _group(column: Column, pattern: str, group: int) -> Column:
    from pyspark.sql import functions as F

    return F.nullif(F.regexp_extract(column, java_regex(pattern), group), F.lit(""))


def user_bounce_type_col(diagnostic: Column) -> Column:
    """The bounce type the first matching analyst's rule fixes, else null."""
    from pyspark.sql import functions as F

    result: Column | None = None
    for rule in rule_base().user_texts:
        condition = diagnostic.rlike(java_regex(rule.pattern))
        label = F.lit(rule.bounce_type).cast("string")
        result = F.when(condition, label) if result is None else result.when(condition, label)
    return result if result is not None else F.lit(None).cast("string")


def reason_col(status: Column, reply_code: Column, diagnostic: Column) -> Column:
    """The reason by the documented precedence (`classify.rules`), refinement included.

    `diagnostic` must already be lower case (the patterns are).
    """
    from pyspark.sql import functions as F

    rules = rule_base()
    by_status = status_reason_col(status)
    strong_status = F.when(~by_status.isin(*sorted(WEAK_REASONS)), by_status)
    by_reply = lookup(rules.reply_codes, reply_code.cast("int"))
    has_text = F.coalesce(diagnostic, F.lit("")).rlike(java_regex(r"\S"))
    fallback = F.when(has_text, F.lit("onhold")).otherwise(F.lit("undefined"))
    steps = {
        "user_text": _first_match(rules.user_texts, diagnostic),  # final: never refined
        "specific_text": _first_match(merged(rules.specific_texts), diagnostic),
        "strong_status": strong_status,
        "general_text": _first_match(merged(rules.general_texts), diagnostic),
        "status": by_status,
        "reply_code": by_reply,
        "fallback": fallback,
    }
    reason = F.coalesce(*[steps[step] for step in LOG_ROW_PRECEDENCE])
    command = F.coalesce(command_col(diagnostic), F.lit(""))
    subject = _extract(status, r"^[245]\.(\d{1,3})\.")
    contradicting = F.coalesce(subject.isin(*FILTER_SUBJECTS), F.lit(False))
    filtered = (
        (reason == "userunknown")
        & (F.coalesce(by_status, F.lit("")) != "userunknown")
        & ((command == "DATA") | (contradicting & (command != "RCPT")))
    )
    refined = (
        F.when(reason.isin("userunknown", "hostunknown") & (command == "MAIL"), F.lit("rejected"))
        .when(filtered, F.lit("filtered"))
        .otherwise(reason)
    )
    return F.regexp_replace(refined, f"{re.escape(FINAL_MARK)}$", "")


def bounce_type_col(status: Column, reply_code: Column, reason: Column) -> Column:
    """hard for 5xx, soft for 4xx, else the reason's default nature."""
    from pyspark.sql import functions as F

    leading = F.coalesce(F.substring(status, 1, 1), F.substring(reply_code.cast("string"), 1, 1))
    nature = F.coalesce(reason_attribute("nature", reason), F.lit("undetermined"))
    return (
        F.when(leading == "5", F.lit("hard")).when(leading == "4", F.lit("soft")).otherwise(nature)
    )


def classify_events(events: DataFrame) -> DataFrame:
    """Fill `status`, `smtp_code`, `reason` and (for bounces) `bounce_type` where the source
    did not (the analyst's rules win over the source), like
    `classify.vectorized.classify_events`: the rules run once per distinct
    (status, reply code, masked diagnostic) of the failures, then the result is joined back.
    """
    from pyspark.sql import functions as F

    is_failure = F.col("event").isin(*FAILURE_EVENTS)
    columns = events.columns
    enriched = events.withColumns(
        {
            "status": F.when(is_failure, status_col()).otherwise(F.col("status")),
            "smtp_code": F.when(is_failure, reply_code_col()).otherwise(F.col("smtp_code")),
        }
    ).withColumn(
        "_masked", F.when(is_failure, mask_col(F.coalesce(F.col("diagnostic"), F.lit(""))))
    )
    keys = {
        "_k_status": F.coalesce(F.col("status"), F.lit("\x00")),
        "_k_code": F.coalesce(F.col("smtp_code").cast("string"), F.lit("\x00")),
    }
    distinct = (
        enriched.filter(is_failure)
        .select("status", "smtp_code", "_masked")
        .distinct()
        .withColumn("_reason", reason_col(F.col("status"), F.col("smtp_code"), F.col("_masked")))
        .withColumn("_fixed_type", user_bounce_type_col(F.col("_masked")))
        .withColumn(
            "_user_reason",
            F.regexp_replace(
                _first_match(rule_base().user_texts, F.col("_masked")),
                f"{re.escape(FINAL_MARK)}$",
                "",
            ),
        )
        .withColumns(keys)
        .select("_k_status", "_k_code", "_masked", "_reason", "_user_reason", "_fixed_type")
    )
    joined = enriched.withColumns(keys).join(
        distinct, on=["_k_status", "_k_code", "_masked"], how="left"
    )
    bounced = F.col("event") == "bounced"
    filled = joined.withColumn(
        "reason",
        F.when(is_failure & F.col("_user_reason").isNotNull(), F.col("_user_reason"))
        .when(is_failure & F.col("reason").isNull(), F.col("_reason"))
        .otherwise(F.col("reason")),
    ).withColumn(
        "bounce_type",
        F.when(bounced & F.col("_fixed_type").isNotNull(), F.col("_fixed_type"))
        .when(
            bounced & F.col("bounce_type").isNull(),
            bounce_type_col(F.col("status"), F.col("smtp_code"), F.col("reason")),
        )
        .otherwise(F.col("bounce_type")),
    )
    return filled.select(columns)
