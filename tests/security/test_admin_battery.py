"""Django's admin lets no operator silently act as someone (issue 19, item 9): no authenticator secret on any
page, a new address or password only through the application's services and notices, and every change
in the account history."""

import base64
import re

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth import authenticate
from django.urls import NoReverseMatch, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from cej.models import AllowanceRate
from demo.totp import DEMO_TOTP_KEY_HEX
from outbox.models import Message
from partners.enums import Role
from partners.models import AccountEvent, EmailChangeRequest, User
from partners.services.two_factor import DEVICE_NAME, backup_codes_generate, secret_for_manual_entry
from partners.views.two_factor import EMAIL_CHANGE_SESSION_KEY
from tests.partners.factories import DEFAULT_PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Une-phrase-de-passe-solide-2026"


@pytest.fixture
def operator(client):
    """A superuser with an authenticator application and backup codes, signed in to the admin."""
    user = UserFactory(email="exploitation@e2c.exemple.fr", is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


@pytest.fixture
def adviser():
    return MembershipFactory(role=Role.ADVISER, user__email="camille.roux@ml.exemple.fr").user


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def every_admin_page():
    """The index, each app's index, and every registered model's list, add and change pages (each row)."""
    yield reverse("admin:index")
    for model in admin.site._registry:
        yield reverse("admin:app_list", args=[model._meta.app_label])
        yield admin_url(model, "changelist")
        yield admin_url(model, "add")
        for pk in model._default_manager.values_list("pk", flat=True)[:20]:
            yield admin_url(model, "change", pk)
            yield admin_url(model, "history", pk)
            yield admin_url(model, "delete", pk)
            # The password form, django-otp's secret and QR code pages (when its admin is there)
            extras = {
                User: ["auth_user_password_change"],
                TOTPDevice: ["otp_totp_totpdevice_config", "otp_totp_totpdevice_qrcode"],
            }
            for name in extras.get(model, []):
                try:
                    yield reverse(f"admin:{name}", args=[pk])
                except NoReverseMatch:  # that page is not in our admin: it shows nothing
                    continue


def test_no_authenticator_secret_nor_backup_code_appears_on_any_admin_page(client, operator, adviser):
    # Given: devices and backup codes, and an admin that lists everything
    device = TOTPDevice.objects.create(user=operator, name=DEVICE_NAME, key=DEMO_TOTP_KEY_HEX, confirmed=True)
    TOTPDevice.objects.create(user=adviser, name=DEVICE_NAME, key="0123456789abcdef0123", confirmed=False)
    codes = backup_codes_generate(user=operator)
    base32 = secret_for_manual_entry(device)
    secrets = {
        DEMO_TOTP_KEY_HEX,
        DEMO_TOTP_KEY_HEX.upper(),
        "0123456789abcdef0123",
        base32,
        base32.replace(" ", ""),
        base64.b32encode(bytes.fromhex("0123456789abcdef0123")).decode().rstrip("="),
        *codes,
        *(f"{code[:5]}-{code[5:]}" for code in codes),
    }

    # When: every page of the admin is read
    seen = 0
    for url in dict.fromkeys(every_admin_page()):
        response = client.get(url)
        assert response.status_code in (200, 302, 403), url
        page = response.content.decode(errors="replace")
        # Then: no secret in any form (hex, base 32 as typed, backup codes), nor an otpauth:// address
        assert not [secret for secret in secrets if secret in page], url
        assert "otpauth://" not in page and "secret=" not in page, url
        seen += 1

    assert seen > 40  # every registered model was crawled, the devices' pages included
    device_page = client.get(admin_url(TOTPDevice, "change", device.pk)).content.decode()
    assert "Application d&#x27;authentification" in device_page or DEVICE_NAME in device_page
    assert 'name="key"' not in device_page


def test_an_authenticator_secret_cannot_be_set_nor_a_device_removed_in_the_admin(client, operator, adviser):
    device = TOTPDevice.objects.create(user=adviser, name=DEVICE_NAME, key=DEMO_TOTP_KEY_HEX, confirmed=True)

    added = client.post(admin_url(TOTPDevice, "add"), {"user": adviser.pk, "name": "x", "key": "00" * 20})
    changed = client.post(admin_url(TOTPDevice, "change", device.pk), {"user": adviser.pk, "key": "00" * 20})
    deleted = client.post(admin_url(TOTPDevice, "delete", device.pk), {"post": "yes"})

    assert added.status_code == changed.status_code == deleted.status_code == 403
    device.refresh_from_db()
    assert device.key == DEMO_TOTP_KEY_HEX
    assert TOTPDevice.objects.filter(user=adviser).count() == 1


def post_user_change(client, user, **changes):
    """The admin's change form of ``user`` posted as shown, with ``changes`` typed in."""
    page = client.get(admin_url(User, "change", user.pk)).content.decode()
    prefixes = set(re.findall(r'name="([\w-]+)-TOTAL_FORMS"', page))
    data = {"email": user.email, "first_name": user.first_name, "last_name": user.last_name, **changes}
    for prefix in prefixes:
        initial = re.search(rf'name="{prefix}-INITIAL_FORMS"[^>]*value="(\d+)"', page)
        initial = initial or re.search(rf'value="(\d+)"[^>]*name="{prefix}-INITIAL_FORMS"', page)
        count = initial.group(1) if initial else "0"
        data.update({f"{prefix}-TOTAL_FORMS": count, f"{prefix}-INITIAL_FORMS": count})
    return client.post(admin_url(User, "change", user.pk), data)


def test_a_new_address_set_in_the_admin_is_confirmed_from_it_then_told_to_the_old_one(
    client, operator, adviser, mailoutbox, django_capture_on_commit_callbacks
):
    # When: the operator types a new address for the adviser
    with django_capture_on_commit_callbacks(execute=True):
        response = post_user_change(client, adviser, email="Camille.Roux@Nouvelle.exemple.fr")

    # Then: nothing changes yet; the new address gets the application's confirmation link
    assert response.status_code == 302, response.content.decode()[:2000]
    adviser.refresh_from_db()
    assert adviser.email == "camille.roux@ml.exemple.fr"
    assert EmailChangeRequest.objects.get(user=adviser).new_email == "camille.roux@nouvelle.exemple.fr"
    [link_mail] = mailoutbox
    assert link_mail.to == ["camille.roux@nouvelle.exemple.fr"]
    link = re.search(r"http://testserver(/compte/adresse-e-mail/lien/[\w-]+/)", link_mail.body).group(1)

    # When: the owner, signed in, follows the link and confirms
    client.force_login(adviser)
    opened = client.get(link)
    assert client.session.get(EMAIL_CHANGE_SESSION_KEY)
    confirmed = client.post(opened["Location"])

    # Then: the address changed and the old address is told, as for a change made on « Adresse e-mail »
    assert confirmed.status_code == 302
    adviser.refresh_from_db()
    assert adviser.email == "camille.roux@nouvelle.exemple.fr"
    notice = Message.objects.get(recipient=adviser, kind="account.email_changed")
    assert notice.address == "camille.roux@ml.exemple.fr"


def test_a_password_set_in_the_admin_is_told_to_its_owner(client, operator, adviser):
    response = client.post(
        reverse("admin:auth_user_password_change", args=[adviser.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert authenticate(username=adviser.email, password=NEW_PASSWORD) == adviser
    notice = Message.objects.get(recipient=adviser, kind="account.password_changed")
    assert notice.address == "camille.roux@ml.exemple.fr"
    assert not authenticate(username=adviser.email, password=DEFAULT_PASSWORD)


def test_every_admin_change_lands_in_the_account_history_with_who_when_and_which_fields(client, operator, adviser):
    membership = adviser.memberships.get()

    # A change to an account: its organisation's team history shows it
    response = post_user_change(client, adviser, first_name="Camila", is_staff="on")
    assert response.status_code == 302, response.content.decode()[:2000]
    [event] = AccountEvent.objects.filter(action=AccountEvent.Action.ADMIN_CHANGE)
    assert event.actor == operator
    assert event.user == adviser
    assert event.organisation == membership.organisation
    assert event.created_at is not None
    assert "Prénom" in event.detail or "prénom" in event.detail
    assert "Camila" not in event.detail  # which fields, never their values
    client.force_login(MembershipFactory(role=Role.MANAGER, organisation=membership.organisation).user)
    history = client.get(reverse("partners:team_history", kwargs={"public_id": membership.organisation.public_id}))
    assert "Modification dans l'administration technique" in history.content.decode().replace("&#x27;", "'")

    # A change to no account (a future allowance rate), and a deletion: recorded too
    client.force_login(operator)
    rate = AllowanceRate.objects.order_by("-valid_from").first()
    future = client.post(
        admin_url(AllowanceRate, "add"),
        {"category": rate.category, "valid_from": "2099-01-01", "monthly_amount": "600.00"},
    )
    assert future.status_code == 302, future.content.decode()[:2000]
    added = AllowanceRate.objects.get(valid_from="2099-01-01", category=rate.category)
    client.post(admin_url(AllowanceRate, "delete", added.pk), {"post": "yes"})
    recorded = list(AccountEvent.objects.filter(action=AccountEvent.Action.ADMIN_CHANGE, user=None))
    assert len(recorded) == 2
    assert {event.actor for event in recorded} == {operator}
    assert all(f"n° {added.pk}" in event.detail for event in recorded)
    # As many account-history rows as the admin's own log has entries: none escapes.
    assert AccountEvent.objects.filter(action=AccountEvent.Action.ADMIN_CHANGE).count() == LogEntry.objects.count()
