import pytest


@pytest.fixture(autouse=True)
def _without_two_factor_step(settings):
    """These tests sign in with force_login: the two-factor step (tested with the accounts) is left out,
    so the committee's and coordinators' pages are reached directly."""
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if not name.endswith("TwoFactorRequiredMiddleware")]
