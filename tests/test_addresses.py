"""Cleaning an address as a loader finds it (deliverability/addresses.py)."""

from __future__ import annotations

import polars as pl
import pytest

from deliverability.addresses import clean_address, domain_of


@pytest.mark.parametrize(
    ("raw", "clean", "domain"),
    [
        (" <Anna@Web.DE> ", "Anna@Web.DE", "web.de"),
        ("g@ web.de.", "g@web.de", "web.de"),
        ("g @ web.de", "g@web.de", "web.de"),
        ("g\t@web.de", "g@web.de", "web.de"),
        ('"Erika Muster"@web.de', '"Erika Muster"@web.de', "web.de"),
        ("carla meyer@web.de", "carla meyer@web.de", "web.de"),  # rejected by the loaders
        ("carla@web .de", "carla@web .de", "web .de"),  # rejected by the loaders
        ("ohne-at.de.", "ohne-at.de", None),
    ],
)
def test_clean_address(raw, clean, domain):
    frame = pl.DataFrame({"a": [raw]}).select(a=clean_address(pl.col("a")))
    assert frame.item() == clean
    assert frame.select(domain_of(pl.col("a"))).item() == domain
