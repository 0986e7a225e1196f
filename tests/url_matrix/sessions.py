import datetime

from django.urls import reverse

from e2c_referrals.enums import RegistrationStatus
from e2c_referrals.ical import feed_for
from e2c_referrals.models import SessionRegistration
from tests.e2c_referrals.sessions_support import make_session
from tests.url_matrix import Entry, everyone
from tests.url_matrix.referrals import referral

# Regional, national and administrator roles see figures, never the young people of a session.
NO_PERSONAL_DATA = {"no_membership": 403, "regional_coordinator": 403, "national_committee": 403, "administrator": 403}
# Pages of the Vénissieux site's session: France Travail Lyon works with another site (not found),
# the ML advisers and managers follow it, the E2C team manages it.
SITE_TEAM_ONLY = {**NO_PERSONAL_DATA, "adviser_ml": 403, "manager_ml": 403, "adviser_ft": 404}


def session(w, **fields):
    return make_session(w.site, created_by=w.user("e2c_staff"), **fields)


def session_url(name, **fields):
    return lambda w: reverse(f"e2c_referrals:{name}", kwargs={"public_id": session(w, **fields).public_id})


def withdraw_url(w):
    found = session(w)
    registration = SessionRegistration.objects.create(
        session=found,
        referral=referral(w, status="invited"),
        status=RegistrationStatus.REGISTERED,
        registered_by=w.user("adviser_ml"),
    )
    return reverse(
        "e2c_referrals:registration_withdraw",
        kwargs={"public_id": found.public_id, "registration_id": registration.public_id},
    )


ENTRIES = [
    Entry("e2c_referrals:sessions", lambda w: reverse("e2c_referrals:sessions"), everyone(200, **NO_PERSONAL_DATA)),
    Entry(
        "e2c_referrals:session_create",
        lambda w: reverse("e2c_referrals:session_create"),
        everyone(403, e2c_staff=200, manager_e2c=200),
        methods=("GET", "POST"),
    ),
    Entry(
        "e2c_referrals:session_detail",
        session_url("session_detail"),
        everyone(200, adviser_ft=404, **NO_PERSONAL_DATA),
    ),
    Entry(
        "e2c_referrals:session_edit",
        session_url("session_edit"),
        everyone(200, **SITE_TEAM_ONLY),
        methods=("GET", "POST"),
    ),
    Entry(
        "e2c_referrals:session_cancel",
        session_url("session_cancel"),
        everyone(200, **SITE_TEAM_ONLY),
        methods=("GET", "POST"),
    ),
    # Posted from the session's page: without a young person chosen, back to it with a message.
    Entry(
        "e2c_referrals:session_register",
        session_url("session_register"),
        everyone(302, adviser_ft=404, **NO_PERSONAL_DATA),
        methods=("POST",),
    ),
    Entry(
        "e2c_referrals:registration_withdraw",
        withdraw_url,
        everyone(200, adviser_ft=404, **NO_PERSONAL_DATA),
        methods=("GET", "POST"),
    ),
    Entry(
        "e2c_referrals:session_attendance",
        session_url("session_attendance", starts_in=-datetime.timedelta(hours=3)),
        everyone(200, **SITE_TEAM_ONLY),
        methods=("GET", "POST"),
    ),
    Entry(
        "e2c_referrals:session_attendance_sheet",
        session_url("session_attendance_sheet"),
        everyone(200, **SITE_TEAM_ONLY),
    ),
    Entry(
        "e2c_referrals:referral_register",
        lambda w: reverse(
            "e2c_referrals:referral_register", kwargs={"public_id": referral(w, status="acknowledged").public_id}
        ),
        everyone(
            200,
            no_membership=404,
            adviser_ft=404,
            regional_coordinator=404,
            national_committee=404,
            administrator=404,
        ),
        methods=("GET", "POST"),
    ),
    Entry("e2c_referrals:calendar", lambda w: reverse("e2c_referrals:calendar"), everyone(200, **NO_PERSONAL_DATA)),
    Entry(
        "e2c_referrals:calendar_regenerate",
        lambda w: reverse("e2c_referrals:calendar_regenerate"),
        everyone(403, manager_ml=200, manager_e2c=200),
        methods=("GET", "POST"),
    ),
    Entry(
        "e2c_referrals:calendar_feed",
        lambda w: reverse("e2c_referrals:calendar_feed", kwargs={"token": feed_for(w.ml_a).token}),
        everyone(200, anonymous=200),
    ),
    Entry("e2c_referrals:immersions", lambda w: reverse("e2c_referrals:immersions"), everyone(200, **NO_PERSONAL_DATA)),
    Entry(
        "e2c_referrals:immersion_create",
        lambda w: reverse("e2c_referrals:immersion_create"),
        everyone(200, **NO_PERSONAL_DATA),
        methods=("GET", "POST"),
    ),
]
