"""Tables over the verdicts of many bounce mails: the data behind `notebooks/bounces.ipynb`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl

from deliverability.addresses import domain_of, normalize_domains
from deliverability.bounces.verdict import VERDICT_FIELDS, MailResult
from deliverability.classify.vectorized import clipped, mask_expr
from deliverability.taxonomy import provider_expr, reason_attribute

#: German names of the kinds of mail in a bounce mailbox.
KIND_LABELS = {
    "bounce": "Unzustellbarkeitsmeldung",
    "feedback": "Beschwerde (ARF)",
    "vacation": "Abwesenheitsnotiz",
    "delivered": "Zustellbestätigung",
    "keine-bounce": "keine Bounce-Mail",
}


@dataclass(frozen=True)
class BounceMailbox:
    """All results of one run over a bounce mailbox."""

    verdicts: pl.DataFrame  # one row per failed recipient
    mails: pl.DataFrame  # one row per mail: file, kind, recipients, note


def collect(results: Iterable[MailResult]) -> BounceMailbox:
    """Turn classification results into two frames (verdicts, mails)."""
    rows: list[dict[str, object]] = []
    mails: list[dict[str, object]] = []
    for result in results:
        mails.append(
            {
                "file": result.file,
                "kind": result.kind,
                "recipients": len(result.verdicts),
                "note": result.note,
            }
        )
        rows.extend(verdict.as_dict() | {"kind": result.kind} for verdict in result.verdicts)
    schema = {name: pl.String for name in VERDICT_FIELDS} | {
        "suppress": pl.Boolean,
        "reply_code": pl.Int16,
        "kind": pl.String,
    }
    verdicts = pl.DataFrame(rows, schema=schema).with_columns(
        recipient_domain=domain_of(pl.col("recipient"))
    )
    verdicts = normalize_domains(verdicts).with_columns(provider=provider_expr("recipient_domain"))
    mail_schema = {"file": pl.String, "kind": pl.String, "recipients": pl.Int64, "note": pl.String}
    return BounceMailbox(verdicts, pl.DataFrame(mails, schema=mail_schema))


#: Verdicts that are not delivery failures (a complaint, an auto-reply, a success DSN).
NOT_FAILURES = ("delivered", "feedback", "vacation")


def failures_of(box: BounceMailbox) -> pl.DataFrame:
    """The verdicts of failed deliveries only."""
    return box.verdicts.filter(~pl.col("reason").is_in(NOT_FAILURES))


def overview(box: BounceMailbox) -> pl.DataFrame:
    """Key figures: mails by kind, failed recipients, hard, soft, to suppress."""
    failures = failures_of(box)
    figures = [("Mails gelesen", box.mails.height)]
    for kind, label in KIND_LABELS.items():
        count = box.mails.filter(pl.col("kind") == kind).height
        if count:
            figures.append((f"davon {label}", count))
    figures += [
        ("Fehlgeschlagene Zustellungen (Empfänger)", failures.height),
        ("davon hart (dauerhaft)", failures.filter(pl.col("bounce_type") == "hard").height),
        ("davon weich (vorübergehend)", failures.filter(pl.col("bounce_type") == "soft").height),
        ("Adressen zu sperren", failures.filter(pl.col("suppress")).height),
    ]
    return pl.DataFrame(figures, schema={"figure": pl.String, "value": pl.Int64}, orient="row")


def _counts() -> list[pl.Expr]:
    return [
        pl.len().alias("recipients"),
        (pl.col("bounce_type") == "hard").sum().alias("hard"),
        (pl.col("bounce_type") == "soft").sum().alias("soft"),
        pl.col("suppress").sum().alias("suppress"),
    ]


def reasons(box: BounceMailbox) -> pl.DataFrame:
    """Per reason: recipients, share, hard, soft, to suppress, with the German explanation.

    Complaints and auto-replies are listed too; the share is of all rows.
    """
    failures = box.verdicts.filter(pl.col("reason") != "delivered")
    total = max(failures.height, 1)
    return (
        failures.group_by("reason")
        .agg(*_counts())
        .with_columns(
            share=pl.col("recipients") / total,
            label=reason_attribute("label"),
            side=reason_attribute("side"),
            what=reason_attribute("what"),
            meaning=reason_attribute("meaning"),
            action=reason_attribute("action"),
        )
        .sort(["recipients", "reason"], descending=[True, False])
    )


def providers(box: BounceMailbox) -> pl.DataFrame:
    """Per mailbox provider: recipients, hard, soft, to suppress, and the most common reason."""
    failures = failures_of(box)
    return (
        failures.group_by("provider")
        .agg(*_counts(), top_reason=pl.col("german_label").mode().sort().first())
        .sort(["recipients", "provider"], descending=[True, False])
    )


#: Characters of a server reply the table of the most frequent replies shows.
SHOWN_REPLY = 160


def top_diagnostics(box: BounceMailbox, limit: int = 15) -> pl.DataFrame:
    """The most frequent server answers, with addresses, IPs and ids masked so that the same
    answer to different recipients counts as one."""
    failures = failures_of(box).filter(pl.col("diagnostic").is_not_null())
    return (
        failures.with_columns(
            message=clipped(mask_expr(pl.col("diagnostic"), for_display=True), SHOWN_REPLY)
        )
        .group_by("message")
        .agg(
            recipients=pl.len(),
            label=pl.col("german_label").mode().sort().first(),
            domains=pl.col("recipient_domain").n_unique(),
        )
        .sort(["recipients", "message"], descending=[True, False])
        .head(limit)
    )


def not_bounces(box: BounceMailbox) -> pl.DataFrame:
    """Mails without a failed recipient, with the reason why."""
    return box.mails.filter(pl.col("recipients") == 0).select("file", "kind", "note")
