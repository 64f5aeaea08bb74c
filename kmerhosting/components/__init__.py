"""Reusable page components (layout, translated text, cards)."""
