"""deliverability: why e-mail does not arrive, and what to do about it.

Importing the package is cheap; heavy modules (polars, matplotlib, papermill) are imported by
the submodules that need them.
"""

import csv as _csv

__version__ = "0.1.0"

#: Python's csv module refuses fields over 128 KiB; real exports carry whole bounce mails in
#: one cell. Every CSV reader of the package reads through it, so the limit is raised once
#: here (2**31 - 1 is the largest value every platform's C long takes).
_csv.field_size_limit(2**31 - 1)
