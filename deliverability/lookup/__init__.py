"""DNS in one place: mail-domain checks for address lists (MX, null MX, A fallback) and the
record reader for sender authentication (TXT, MX), both against an injectable resolver."""
