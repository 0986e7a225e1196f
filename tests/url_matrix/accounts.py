from django.urls import reverse

from tests.url_matrix import Entry, everyone
from tests.world import ROLES

ALL = dict.fromkeys(ROLES, 200)

ENTRIES = [
    Entry("home", lambda w: reverse("home"), everyone(200)),
    # Posted from the header's menu: an organisation not one's own is refused with a message on the page left.
    Entry("switch_organisation", lambda w: reverse("switch_organisation"), everyone(302), methods=("POST",)),
    Entry("login", lambda w: reverse("login"), everyone(302, anonymous=200), methods=("GET", "POST")),
    # GET: a page with the sign-out button (signing out itself is a POST); not signed in: to the sign-in page.
    Entry("logout", lambda w: reverse("logout"), everyone(200), methods=("GET", "POST")),
    # « Rester connecté » before the idle timeout: POST only (204), answered with the sign-in page signed out.
    Entry("session_extend", lambda w: reverse("session_extend"), everyone(204), methods=("POST",)),
    Entry("password_reset", lambda w: reverse("password_reset"), ALL, methods=("GET", "POST")),
    Entry("password_reset_done", lambda w: reverse("password_reset_done"), ALL),
    Entry(
        "password_reset_confirm",
        lambda w: reverse("password_reset_confirm", kwargs={"uidb64": "MQ", "token": "abc-def"}),
        ALL,
        methods=("GET", "POST"),
    ),
    Entry("password_reset_complete", lambda w: reverse("password_reset_complete"), ALL),
    Entry("password_change", lambda w: reverse("password_change"), everyone(200), methods=("GET", "POST")),
    Entry("password_change_done", lambda w: reverse("password_change_done"), everyone(200)),
    # Two-factor pages: a session signed in with its code (as client.force_login is in tests) is sent on.
    Entry("two_factor_verify", lambda w: reverse("two_factor_verify"), everyone(302), methods=("GET", "POST")),
    # Anyone signed in may enrol an application (mandatory for some roles); the password was just typed.
    Entry("two_factor_setup", lambda w: reverse("two_factor_setup"), everyone(200), methods=("GET", "POST")),
    Entry("reauthenticate", lambda w: reverse("reauthenticate"), everyone(200), methods=("GET", "POST")),
    Entry("email_change", lambda w: reverse("email_change"), everyone(200), methods=("GET", "POST")),
    # A confirmation link (any token: unusable ones are refused on the next page, token-free).
    Entry("email_change_open", lambda w: reverse("email_change_open", kwargs={"token": "abc-def"}), everyone(302)),
    # No pending request in this session: the page says the link is not usable (410, Gone).
    Entry("email_change_confirm", lambda w: reverse("email_change_confirm"), everyone(410), methods=("GET", "POST")),
    # New backup codes: only with an authenticator application (no one has one in the world: sent to enrol).
    Entry(
        "backup_codes_regenerate", lambda w: reverse("backup_codes_regenerate"), everyone(302), methods=("GET", "POST")
    ),
    # Django's admin: only staff accounts get in; everyone else is sent to its login page.
    # It declares no methods: held to GET, HEAD and POST (common/http_methods.py).
    Entry("admin:index", lambda w: reverse("admin:index"), everyone(302), methods=("GET", "POST")),
]
