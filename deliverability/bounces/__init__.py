"""Bounce mails: reading notices (RFC 3464 DSNs and the non-standard ones), their failed
recipients and classified verdicts."""
