"""Hardening (issue 10, item 5) and authentication (item 4): headers, cookies, caching, downloads,
passwords, lockout, sessions and re-authentication."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from config.settings.base import csp_hash
from tests.e2c_referrals.test_review_fixes import consent, download_url, referral, with_attachment
from tests.e2c_referrals.test_review_fixes import world as world  # the fixture
from tests.partners.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
BASE_DIR = Path(settings.BASE_DIR)
# Templates that no browser renders as a page: PDF (WeasyPrint) and e-mail bodies.
NOT_PAGES = ("pdf/", "/email/", "emails/")


def page_templates():
    for path in sorted((BASE_DIR / "templates").rglob("*.html")):
        name = path.relative_to(BASE_DIR / "templates").as_posix()
        if not any(part in name for part in NOT_PAGES):
            yield name, path.read_text()


def csp_of(response):
    policy = response["Content-Security-Policy"]
    return {item.split()[0]: item.split()[1:] for item in (part.strip() for part in policy.split(";")) if item}


# --- Content-Security-Policy ------------------------------------------------------------------------


def test_every_page_gets_a_policy_without_inline_scripts_or_styles_and_may_not_be_framed(client):
    response = client.get(reverse("login"))

    policy = csp_of(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_no_page_template_carries_an_inline_script_or_event_handler():
    offenders = []
    for name, text in page_templates():
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and 'type="application/json"' not in tag:
                offenders.append((name, tag))
        offenders += [(name, handler) for handler in re.findall(r"\son[a-z]+\s*=", text)]
        offenders += [(name, "javascript:") for _ in re.findall(r"javascript:", text)]
    js_files = list((BASE_DIR / "static" / "js").rglob("*.js"))
    offenders += [(path.name, "eval") for path in js_files if re.search(r"\beval\(|new Function\(", path.read_text())]

    assert offenders == []
    assert len(js_files) >= 1  # the check reads real files


def test_every_style_attribute_of_the_pages_is_one_the_policy_allows_by_hash(client):
    allowed = set(csp_of(client.get(reverse("login")))["style-src-attr"])
    found = {value for _, text in page_templates() for value in re.findall(r'\sstyle="([^"{]*)"', text)}

    assert found  # the 413 and 500 pages have some: the test does look
    assert {value for value in found if csp_hash(value) not in allowed} == set()
    assert "<style" not in "".join(text for _, text in page_templates())


# --- Caching and downloads --------------------------------------------------------------------------


def test_pages_shown_to_a_signed_in_person_are_never_stored(client):
    client.force_login(UserFactory())

    response = client.get(reverse("password_change"))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_a_view_that_sets_its_own_cache_policy_keeps_it(client):
    # The login page is never_cache (Django): its header is left alone, and it already says no-store.
    response = client.get(reverse("login"))

    assert "no-store" in response["Cache-Control"]
    assert "max-age=0" in response["Cache-Control"]


def test_an_uploaded_file_is_downloaded_never_rendered_even_if_it_claims_to_be_html(client, world):
    from cej.enums import SharedData

    consent(world, [SharedData.IDENTITY, SharedData.DIAGNOSTIC])
    sent = referral(world)
    attachment = with_attachment(world, sent)
    attachment.content_type = "text/html"
    attachment.save(update_fields=["content_type"])
    client.force_login(world.user("e2c_staff"))

    response = client.get(download_url(sent, attachment))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


# --- Cookies --------------------------------------------------------------------------------------------


def test_local_cookies_work_over_plain_http_and_are_http_only_and_same_site(client):
    client.post(reverse("login"), {"username": UserFactory().email, "password": DEFAULT_PASSWORD})

    session_cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert session_cookie["httponly"] is True
    assert session_cookie["samesite"] == "Lax"
    assert not session_cookie["secure"]
    assert settings.CSRF_COOKIE_HTTPONLY is True
    assert settings.CSRF_COOKIE_SAMESITE == "Strict"


# --- Production settings ------------------------------------------------------------------------------

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_SECRET_KEY": "check-deploy-only-" + "".join(chr(65 + i % 26) + str(i) for i in range(30)),
    "DJANGO_ALLOWED_HOSTS": "orientations-e2c.exemple.fr",
    "SITE_URL": "https://orientations-e2c.exemple.fr",
    "DATABASE_URL": "postgres://check@127.0.0.1:5432/check",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def run_with_production_settings(*args):
    import os
    import subprocess
    import sys

    inherited = ("DJANGO_", "DATABASE_URL", "REDIS_URL", "E2C_")
    clean = {key: value for key, value in os.environ.items() if not key.startswith(inherited)}
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=clean | PRODUCTION_ENV, capture_output=True, text=True, check=False
    )


def test_production_cookies_are_host_prefixed_secure_and_hsts_lasts_a_year():
    code = (
        "import django; django.setup(); from django.conf import settings as s; print(s.SESSION_COOKIE_NAME, "
        "s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.SESSION_COOKIE_SAMESITE, s.CSRF_COOKIE_SAMESITE, s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT)"
    )
    result = run_with_production_settings("-c", code)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "__Host-sessionid",
        "__Host-csrftoken",
        "True",
        "True",
        "True",
        "Lax",
        "Strict",
        str(365 * 24 * 3600),
        "True",
    ]


def test_the_deployment_check_is_clean_on_production_settings():
    result = run_with_production_settings("manage.py", "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


# --- Passwords ----------------------------------------------------------------------------------------


def test_a_long_passphrase_without_digits_capitals_or_symbols_is_accepted():
    from django.contrib.auth.password_validation import validate_password

    validate_password("cheval agrafe pile correcte", user=UserFactory.build())


@pytest.mark.parametrize(
    "password",
    [
        "azertyuiop123",  # a keyboard row
        "Orientations2026!",  # the service's name and a year, whatever the symbols
        "Anaïs.Lévêque26",  # the person's own name, with its accents
        "Leveque-Anais-1",  # the person's own name
    ],
)
def test_a_guessable_password_is_refused_with_a_french_message_whatever_its_composition(password):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    user = UserFactory.build(first_name="Anaïs", last_name="Lévêque", email="anais.leveque@ml.exemple.fr")

    with pytest.raises(ValidationError) as refused:
        validate_password(password, user=user)

    assert any(error.code == "password_too_guessable" for error in refused.value.error_list)


def test_a_short_password_is_refused_and_there_are_no_composition_rules():
    from django.contrib.auth.password_validation import get_default_password_validators, validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        validate_password("k7#Qz!9p", user=UserFactory.build())

    assert "password_too_short" in {error.code for error in refused.value.error_list}
    names = {type(validator).__name__ for validator in get_default_password_validators()}
    assert names == {
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "PasswordStrengthValidator",
    }


def test_the_password_change_page_refuses_a_guessable_password_in_french(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(
        reverse("password_change"),
        {"old_password": DEFAULT_PASSWORD, "new_password1": "Orientations2026!", "new_password2": "Orientations2026!"},
    )

    assert response.status_code == 200
    assert "Ce mot de passe est trop facile à deviner." in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)


# --- Lockout after repeated failures (django-axes) ------------------------------------------------------


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True


def sign_in(client, email, password, ip="192.0.2.10"):
    return client.post(reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=ip)


def test_five_failures_with_one_address_from_one_network_lock_that_pair_for_15_minutes(client, axes_on):
    from axes.models import AccessAttempt
    from django.utils import timezone

    user = UserFactory(email="lea.benoit@ml.exemple.fr")
    for attempt in range(4):
        # Changing the case of the address does not give more tries.
        email = "Lea.Benoit@ML.exemple.fr" if attempt % 2 else user.email
        assert sign_in(client, email, "mauvais", ip="192.0.2.4").status_code == 200
    assert sign_in(client, user.email, "mauvais", ip="192.0.2.4").status_code == 429  # the fifth

    locked = sign_in(client, user.email, DEFAULT_PASSWORD, ip="192.0.2.4")

    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Connexion temporairement bloquée" in page
    assert "depuis ce réseau est bloquée pendant 15 minutes, jusqu'à" in page
    assert "_auth_user_id" not in client.session

    AccessAttempt.objects.update(attempt_time=timezone.now() - timezone.timedelta(minutes=16))
    assert sign_in(client, user.email, DEFAULT_PASSWORD, ip="192.0.2.4").status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_failures_on_an_account_from_one_network_do_not_lock_it_from_another(client, axes_on):
    user = UserFactory()
    for _ in range(5):
        sign_in(client, user.email, "mauvais", ip="203.0.113.66")
    assert sign_in(client, user.email, DEFAULT_PASSWORD, ip="203.0.113.66").status_code == 429

    signed_in = sign_in(client, user.email, DEFAULT_PASSWORD, ip="198.51.100.7")

    assert signed_in.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_unknown_addresses_tried_from_an_office_do_not_block_a_colleagues_right_password(client, axes_on):
    colleague = UserFactory()
    for attempt in range(5):
        assert sign_in(client, f"devine{attempt}@ml.exemple.fr", "mauvais", ip="203.0.113.66").status_code == 200

    assert sign_in(client, colleague.email, DEFAULT_PASSWORD, ip="203.0.113.66").status_code == 302


def test_many_unknown_addresses_from_one_network_brake_its_failures_but_not_a_right_password(client, axes_on, settings):
    colleague = UserFactory()
    limit = settings.LOCKOUT_UNKNOWN_ADDRESS_LIMIT
    for attempt in range(limit - 1):
        assert sign_in(client, f"devine{attempt}@ml.exemple.fr", "mauvais", ip="203.0.113.66").status_code == 200

    braked = sign_in(client, "devine-encore@ml.exemple.fr", "mauvais", ip="203.0.113.66")
    wrong_password = sign_in(client, colleague.email, "mauvais", ip="203.0.113.66")

    assert braked.status_code == 429
    assert "adresses e-mail qui ne correspondent à aucun compte" in braked.content.decode()
    # The same answer for an address that has an account: the brake tells no one which addresses exist.
    assert wrong_password.status_code == 429
    assert wrong_password.content.decode() == braked.content.decode()
    # Other networks are not braked, and a right password still signs in from this one.
    assert sign_in(client, "devine-ailleurs@ml.exemple.fr", "mauvais", ip="198.51.100.7").status_code == 200
    assert sign_in(client, colleague.email, DEFAULT_PASSWORD, ip="203.0.113.66").status_code == 302
    assert client.session["_auth_user_id"] == str(colleague.pk)


def test_an_account_attacked_from_many_networks_still_opens_for_its_owner_at_the_office(client, axes_on, settings):
    from partners.models import SignInNetwork

    owner = UserFactory()
    assert sign_in(client, owner.email, DEFAULT_PASSWORD, ip="192.0.2.10").status_code == 302  # their office
    client.logout()
    assert SignInNetwork.objects.filter(user=owner).count() == 1
    assert "192.0.2.10" not in str(SignInNetwork.objects.values_list("network_digest", flat=True)[0])
    for attempt in range(settings.LOCKOUT_ACCOUNT_LIMIT - 1):
        assert sign_in(client, owner.email, "mauvais", ip=f"203.0.113.{attempt // 2}").status_code == 200
    assert sign_in(client, owner.email, "mauvais", ip="203.0.113.99").status_code == 429  # the brake

    elsewhere = sign_in(client, owner.email, DEFAULT_PASSWORD, ip="198.51.100.7")

    assert elsewhere.status_code == 429
    assert "depuis un réseau d'où elle s'est déjà connectée" in elsewhere.content.decode()
    assert sign_in(client, owner.email, DEFAULT_PASSWORD, ip="192.0.2.10").status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)


def test_a_success_clears_the_account_failures_and_the_login_form_keeps_working(client, axes_on):
    user = UserFactory()
    for _ in range(4):
        sign_in(client, user.email, "mauvais")
    assert sign_in(client, user.email, DEFAULT_PASSWORD).status_code == 302
    client.logout()

    for _ in range(4):
        assert sign_in(client, user.email, "mauvais", ip="192.0.2.99").status_code == 200

    assert sign_in(client, user.email, DEFAULT_PASSWORD, ip="192.0.2.98").status_code == 302


def test_lockout_logs_never_name_the_account_by_its_e_mail(client, axes_on, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    for _ in range(6):
        sign_in(client, "planted.address@ml.exemple.fr", "mauvais")

    assert caplog.records  # django-axes did log the failures and the lockout
    assert "planted" not in caplog.text


def test_behind_the_proxy_the_address_is_the_one_it_appended_not_the_clients_claim(rf, settings):
    from partners.views.accounts import lockout_client_ip

    request = rf.post("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.44", REMOTE_ADDR="10.0.0.2")
    assert lockout_client_ip(request) == "10.0.0.2"

    settings.TRUSTED_PROXY_COUNT = 1
    assert lockout_client_ip(request) == "192.0.2.44"


@pytest.mark.parametrize(
    ("appended", "counted_as"),
    [
        ("192.0.2.4:51234", "192.0.2.4"),  # a proxy that writes the client's port too
        ("[2001:DB8::1]:443", "2001:db8::1"),
        ("unknown", "10.0.0.2"),  # no address at all: the proxy's own
    ],
)
def test_an_address_the_proxy_wrote_with_a_port_or_none_at_all_never_ends_the_sign_in_on_an_error(
    client, axes_on, settings, appended, counted_as
):
    from axes.models import AccessAttempt

    settings.TRUSTED_PROXY_COUNT = 1
    user = UserFactory()
    for _ in range(4):
        failed = client.post(
            reverse("login"),
            {"username": user.email, "password": "mauvais"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=appended,
        )
        assert failed.status_code == 200
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {counted_as}

    signed_in = client.post(
        reverse("login"),
        {"username": user.email, "password": DEFAULT_PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR=appended,
    )
    assert signed_in.status_code == 302


def test_an_address_longer_than_any_e_mail_is_refused_like_a_wrong_one_not_with_an_error(client, axes_on):
    refused = sign_in(client, "a" * 5000 + "@ml.exemple.fr", "mauvais")

    assert refused.status_code == 200
    assert "_auth_user_id" not in client.session


# --- Sessions -------------------------------------------------------------------------------------------


def test_signing_in_gives_a_new_session_key(client):
    client.get(reverse("login"))
    client.session.save()
    before = client.session.session_key
    client.cookies[settings.SESSION_COOKIE_NAME] = before

    client.post(reverse("login"), {"username": UserFactory().email, "password": DEFAULT_PASSWORD})

    assert client.session.session_key != before
    assert "_auth_user_id" in client.session


def age_session(client, key, seconds):
    session = client.session
    session[key] = session[key] - seconds
    session.save()


def test_thirty_minutes_without_a_request_sign_the_person_out(client):
    from common.middleware import LAST_SEEN_AT

    client.force_login(UserFactory())
    assert client.get(reverse("password_change")).status_code == 200
    age_session(client, LAST_SEEN_AT, 29 * 60)
    assert client.get(reverse("password_change")).status_code == 200
    age_session(client, LAST_SEEN_AT, 31 * 60)

    response = client.get(reverse("password_change"), follow=True)

    assert response.redirect_chain[0] == (f"{reverse('login')}?next={reverse('password_change')}", 302)
    assert "_auth_user_id" not in client.session
    assert "Votre session a expiré après 30 minutes sans activité." in response.content.decode()


def test_twelve_hours_after_signing_in_the_person_signs_in_again_however_active(client):
    from common.middleware import SIGNED_IN_AT

    client.force_login(UserFactory())
    client.get(reverse("password_change"))
    age_session(client, SIGNED_IN_AT, 11 * 3600)
    assert client.get(reverse("password_change")).status_code == 200
    age_session(client, SIGNED_IN_AT, 3600 + 1)

    response = client.post(reverse("password_change"), {}, follow=True)

    assert response.redirect_chain[0][1] == 302
    assert "_auth_user_id" not in client.session
    assert "reconnectez-vous au moins toutes les 12 heures" in response.content.decode()


def test_an_account_closed_in_the_admin_is_refused_on_its_next_request(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("password_change")).status_code == 200

    type(user).objects.filter(pk=user.pk).update(is_active=False)

    assert client.get(reverse("password_change")).status_code == 302


def test_networks_of_successful_sign_ins_are_forgotten_after_90_days_and_with_the_account(
    django_capture_on_commit_callbacks,
):
    import datetime

    from django.utils import timezone

    from partners.lockout import network_digest
    from partners.models import SignInNetwork
    from partners.purges import sign_in_attempts_purge
    from retention.services import account_anonymise

    # Given networks last used 91 and 89 days ago, and a closed account's network used yesterday
    user = UserFactory()
    now = timezone.now()
    old = SignInNetwork.objects.create(
        user=user, network_digest=network_digest("192.0.2.1"), last_signed_in_at=now - datetime.timedelta(days=91)
    )
    kept = SignInNetwork.objects.create(
        user=user, network_digest=network_digest("192.0.2.2"), last_signed_in_at=now - datetime.timedelta(days=89)
    )
    closed = UserFactory(is_active=False, deactivated_at=now - datetime.timedelta(days=400))
    SignInNetwork.objects.create(user=closed, network_digest=network_digest("192.0.2.3"))

    # When the purge runs and the closed account is anonymised
    sign_in_attempts_purge()
    with django_capture_on_commit_callbacks(execute=True):
        assert account_anonymise(user_id=closed.pk) is True

    # Then only the recent network of the open account is left
    assert list(SignInNetwork.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not SignInNetwork.objects.filter(pk=old.pk).exists()
