"""Admin operations (no Reflex). Every function takes the acting admin's id and re-checks the role:
the state's `_require_admin` is the first gate, this is the second (defence in depth)."""
