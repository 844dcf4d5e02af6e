"""`python -m deliverability` is the same as the `deliverability` console script."""

from deliverability.cli import main

raise SystemExit(main())
