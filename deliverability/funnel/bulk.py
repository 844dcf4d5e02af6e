"""Bulk-sender requirements of Gmail, Yahoo and Outlook.com, checked where the data allows.

From 5,000 mails a day to one of them a sender counts as a bulk sender and needs SPF, DKIM
and DMARC, a one-click unsubscribe, and a spam (complaint) rate below 0.3 % (better below
0.1 %). Sources: support.google.com/a/answer/14229414 (Gmail), senders.yahooinc.com/best-practices
(Yahoo), techcommunity.microsoft.com, Defender for Office 365 blog of 2 April 2025 (Outlook.com).
"""

from __future__ import annotations

import polars as pl

from deliverability.text_expr import format_text

BULK_DAILY = 5000
SPAM_LIMIT = 0.003
SPAM_TARGET = 0.001
#: Providers of the bulk-sender rules (names of taxonomy/providers.toml and mx_providers.csv).
BULK_PROVIDERS = ("Google", "Yahoo/AOL", "Microsoft (Outlook.com)")


def bulk_sender_days(messages: pl.DataFrame) -> pl.DataFrame:
    """Per sending domain, provider and day: mails sent, delivered, complaints and the spam
    rate (complaints / delivered), for the providers with bulk-sender rules."""
    return (
        messages.filter(pl.col("provider").is_in(BULK_PROVIDERS) & pl.col("sent"))
        .with_columns(sender_domain=pl.col("sender").str.split("@").list.last().str.to_lowercase())
        .group_by("sender_domain", "provider", "day")
        .agg(
            sent=pl.len().cast(pl.Int64),
            delivered=(pl.col("outcome").cast(pl.String) == "delivered").sum().cast(pl.Int64),
            complaints=pl.col("complained").sum().cast(pl.Int64),
        )
        .with_columns(
            spam_rate=pl.when(pl.col("delivered") > 0).then(
                pl.col("complaints") / pl.col("delivered")
            ),
            bulk=pl.col("sent") >= BULK_DAILY,
        )
        .sort("sender_domain", "provider", "day")
    )


def bulk_findings(days: pl.DataFrame) -> pl.DataFrame:
    """Per sending domain and provider: the busiest day, whether the bulk rules apply, the
    highest daily spam rate, and a German verdict."""
    summary = days.group_by("sender_domain", "provider").agg(
        max_daily=pl.col("sent").max(),
        max_spam_rate=pl.col("spam_rate").max(),
        days_over_limit=(pl.col("spam_rate") >= SPAM_LIMIT).sum().cast(pl.Int64),
    )
    bulk = pl.col("max_daily") >= BULK_DAILY
    over = pl.col("days_over_limit") > 0
    text = (
        pl.when(over)
        .then(
            format_text(
                "An {} lag die Beschwerderate bei {} über 0,3 % – das Limit der großen "
                "Anbieter; Mails landen dann im Spam oder werden abgewiesen. Einwilligungen und "
                "Abmeldelink prüfen, Versand an inaktive Empfänger stoppen.",
                pl.when(pl.col("days_over_limit") == 1)
                .then(pl.lit("einem Tag"))
                .otherwise(format_text("{} Tagen", pl.col("days_over_limit"))),
                pl.col("provider"),
            )
        )
        .when(bulk)
        .then(
            format_text(
                "Mit bis zu {} Mails am Tag an {} gelten die Regeln für Massenversender: SPF, "
                "DKIM und DMARC (check-sender), ein Abmeldelink mit einem Klick (List-Unsubscribe; "
                "aus den Protokollen nicht prüfbar) und eine Beschwerderate unter 0,3 %.",
                pl.col("max_daily"),
                pl.col("provider"),
            )
        )
        .otherwise(
            pl.lit("Unter 5.000 Mails am Tag: die Massenversender-Regeln gelten noch nicht.")
        )
    )
    return summary.with_columns(bulk=bulk, finding=text).sort("sender_domain", "provider")
