"""Catalogue modules: each defines MESSAGES = {key: {"fr": ..., "en": ...}}."""
