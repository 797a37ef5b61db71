"""coopdb's schema and everything that talks SQL."""
