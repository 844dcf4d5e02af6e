"""Sender authentication: SPF, DMARC, DKIM, MX and From-domain alignment, via DNS."""
