"""Accepted but not seen: per provider, how much delivered mail is later opened or clicked,
against the sender's own average. A provider far below it probably files the mail as spam
or holds it in quarantine. (Opens are a weak signal: privacy proxies open everything, some
clients nothing – the comparison within one sender is what counts.)
"""

from __future__ import annotations

import polars as pl

from deliverability.rates import wilson_exprs

#: A provider is flagged when even the upper 95 % bound of its share is below this fraction
#: of the sender's average, with at least MIN_DELIVERED delivered messages.
FLAG_BELOW = 0.5
MIN_DELIVERED = 100


def accepted_not_seen(
    messages: pl.DataFrame, min_delivered: int = MIN_DELIVERED, below: float = FLAG_BELOW
) -> pl.DataFrame:
    """Per sender and provider: delivered, seen (opened or clicked), the share with its Wilson
    bounds, the sender's average share, and `flag` (probably spam or quarantine)."""
    delivered = messages.filter(pl.col("outcome").cast(pl.String) == "delivered").with_columns(
        seen=pl.col("opened") | pl.col("clicked")
    )
    overall = delivered.group_by("sender").agg(
        sender_share=pl.col("seen").mean(), sender_delivered=pl.len()
    )
    per = delivered.group_by("sender", "provider").agg(
        delivered=pl.len().cast(pl.Int64), seen=pl.col("seen").sum().cast(pl.Int64)
    )
    low, high = wilson_exprs(pl.col("seen"), pl.col("delivered"))
    return (
        per.join(overall, on="sender", how="left")
        .with_columns(share=pl.col("seen") / pl.col("delivered"), share_low=low, share_high=high)
        .with_columns(
            flag=(pl.col("delivered") >= min_delivered)
            & (pl.col("share_high") < below * pl.col("sender_share"))
        )
        .sort(["sender", "flag", "delivered"], descending=[False, True, True])
    )
