import re
import string

import pytest

from kmerhosting.i18n import CATALOG, translate


def _fields(text):
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(CATALOG))
def test_every_message_exists_in_french_and_english_with_the_same_placeholders(key):
    texts = CATALOG[key]
    assert texts.get("fr") and texts.get("en"), key
    assert _fields(texts["fr"]) == _fields(texts["en"]), key


def test_translate_falls_back_to_french_and_fills_params():
    assert translate("pack.disk", "en", n=5) == "5\xa0GB SSD"  # the unit never wraps away from its number
    assert translate("pack.disk", "fr", n=5) == "5\xa0Go SSD"
    assert translate("pack.disk", "de", n=5) == "5\xa0Go SSD"


def test_pages_use_translation_keys_not_bare_text():
    """Page modules pass user-facing text through t(); a bare French/English sentence is a bug."""
    from pathlib import Path

    pages = Path(__file__).resolve().parent.parent / "kmerhosting" / "pages"
    offenders = []
    for path in pages.glob("*.py"):
        for lineno, line in enumerate(path.read_text().splitlines(), 1):
            for literal in re.findall(r'rx\.(?:text|heading|button|link)\(\s*"([^"]+)"', line):
                if re.search(r"[a-zA-Zéè]{3,}\s+[a-zA-Zéè]{3,}", literal):
                    offenders.append(f"{path.name}:{lineno}: {literal}")
    assert not offenders, offenders


def test_no_message_writes_a_plural_as_a_bracketed_s():
    """"jour(s)", "résultat(s)": a count gets its real plural from the display layer instead."""
    bracketed = {f"{key} [{lang}]": text for key, texts in CATALOG.items() for lang, text in texts.items()
                 if re.search(r"\w\((s|es|x)\)", text)}
    assert bracketed == {}
