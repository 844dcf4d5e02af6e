"""Check address lists before import: syntax, typos, DNS, disposable and role addresses."""
