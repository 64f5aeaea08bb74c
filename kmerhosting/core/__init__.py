"""Business operations: plain Python over a DB session, no Reflex import."""
