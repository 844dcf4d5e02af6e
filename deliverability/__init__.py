"""deliverability: why e-mail does not arrive, and what to do about it.

Importing the package is cheap; heavy modules (polars, matplotlib, papermill) are imported by
the submodules that need them.
"""

__version__ = "0.1.0"
