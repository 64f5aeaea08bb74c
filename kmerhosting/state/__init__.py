"""Reflex State classes: read the session, call core, put plain results in vars."""
