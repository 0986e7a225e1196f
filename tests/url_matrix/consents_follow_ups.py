import datetime

from django.urls import reverse

from cej.enums import ConsentMethod, SharedData
from cej.models import Consent, FollowUp
from tests.cej.factories import YoungPersonFactory
from tests.url_matrix import Entry, everyone
from tests.world import ROLES

OWN_FILE = everyone(404, adviser_ml=200, manager_ml=200)


def consent(w):
    young_person = YoungPersonFactory(organisation=w.ml_a)
    return Consent.objects.create(
        young_person=young_person,
        e2c_site=w.site,
        shared_data=[SharedData.IDENTITY],
        given_on=datetime.date(2026, 1, 5),
        method=ConsentMethod.ORAL,
        attestation="Expliqué et accepté.",
        recorded_by=w.user("adviser_ml"),
    )


def follow_up(w):
    return FollowUp.objects.create(
        young_person=YoungPersonFactory(organisation=w.ml_a), scheduled_on=datetime.date.today()
    )


def file_url(name):
    return lambda w: reverse(name, kwargs={"public_id": YoungPersonFactory(organisation=w.ml_a).public_id})


ENTRIES = [
    Entry("information_notice", lambda w: reverse("information_notice"), dict.fromkeys(ROLES, 200)),
    Entry("cej:consent_create", file_url("cej:consent_create"), OWN_FILE, methods=("GET", "POST")),
    Entry(
        "cej:consent_revoke",
        lambda w: (
            (c := consent(w))
            and reverse("cej:consent_revoke", kwargs={"public_id": c.young_person.public_id, "consent_id": c.public_id})
        ),
        OWN_FILE,
        methods=("GET", "POST"),
    ),
    Entry(
        "cej:consent_form_download",  # an oral consent has no form: 404 even for its file's advisers
        lambda w: (
            (c := consent(w))
            and reverse(
                "cej:consent_form_download", kwargs={"public_id": c.young_person.public_id, "consent_id": c.public_id}
            )
        ),
        everyone(404),
    ),
    Entry("cej:follow_up_create", file_url("cej:follow_up_create"), OWN_FILE, methods=("GET", "POST")),
    Entry(
        "cej:follow_up_record",
        lambda w: (
            (f := follow_up(w))
            and reverse(
                "cej:follow_up_record", kwargs={"public_id": f.young_person.public_id, "follow_up_id": f.public_id}
            )
        ),
        OWN_FILE,
        methods=("GET", "POST"),
    ),
    Entry(
        "cej:follow_up_cancel",
        lambda w: (
            (f := follow_up(w))
            and reverse(
                "cej:follow_up_cancel", kwargs={"public_id": f.young_person.public_id, "follow_up_id": f.public_id}
            )
        ),
        OWN_FILE,
        methods=("GET", "POST"),
    ),
]
