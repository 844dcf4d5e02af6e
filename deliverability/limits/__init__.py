"""Send limits: profiles of host and provider limits, replay of real sends, campaign plans."""
