from sqlmodel import select

from kmerhosting.config import load_settings
from kmerhosting.core.passwords import verify_password
from kmerhosting.models import ControlPanel, Pack, Role, User
from kmerhosting.seed import seed


def test_seed_creates_packs_and_a_generated_admin_once(session):
    result = seed(session, load_settings({}))
    packs = session.exec(select(Pack)).all()
    assert len(packs) >= 3 and all(p.monthly_price > 0 and p.control_panel in set(ControlPanel) for p in packs)
    assert {p.control_panel for p in packs} >= {"cpanel", "plesk", "directadmin"}
    admin = session.exec(select(User).where(User.role == Role.admin)).one()
    assert result.admin_password and verify_password(result.admin_password, admin.password_hash)
    assert admin.email_verified_at is not None

    again = seed(session, load_settings({}))
    assert again.packs_created == 0 and again.admin_email is None
    assert len(session.exec(select(Pack)).all()) == len(packs)


def test_seed_uses_the_admin_from_the_environment(session):
    settings = load_settings({"ADMIN_EMAIL": "Boss@KmerHosting.cm", "ADMIN_PASSWORD": "a-long-password"})
    result = seed(session, settings)
    admin = session.exec(select(User).where(User.role == Role.admin)).one()
    assert admin.email == "boss@kmerhosting.cm" and result.admin_password is None
    assert verify_password("a-long-password", admin.password_hash)
