import re

import pytest
from playwright.sync_api import expect

from ..conftest import screenshot

pytestmark = pytest.mark.browser


def test_home_shows_the_packs_in_french_then_english(page):
    page.goto("/")
    expect(page.get_by_role("heading", name="Nos offres d'hébergement")).to_be_visible()
    expect(page.get_by_text("Business", exact=True)).to_be_visible()
    expect(page.get_by_text(re.compile(r"FCFA"))).not_to_have_count(0)
    screenshot(page, "home-fr")

    page.click("#lang-en")
    expect(page.get_by_role("heading", name="Our hosting plans")).to_be_visible()
    expect(page.get_by_text(re.compile(r"\d,\d{3}\sFCFA"))).not_to_have_count(0)  # English grouping
    screenshot(page, "home-en")

    page.reload()  # the choice is kept for this visitor
    expect(page.get_by_role("heading", name="Our hosting plans")).to_be_visible()
