"""Which corpus files are set aside to judge the classifier's rules (issue 14).

A file is set aside when the SHA-256 of its name falls into one fifth. The split depends on
the name only, so it is the same on every machine and for files added later; nobody chose
which files go where.
"""

from __future__ import annotations

import hashlib

#: One part in this many is set aside.
PARTS = 5


def is_set_aside(file_name: str) -> bool:
    """True for the files whose name hashes into the set-aside fifth."""
    digest = hashlib.sha256(file_name.encode("utf-8")).hexdigest()
    return int(digest, 16) % PARTS == 0
