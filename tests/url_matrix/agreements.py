import datetime

from django.core.files.base import ContentFile
from django.urls import reverse

from partners.enums import AgreementFramework, AgreementLevel, CollaborationLevel
from partners.models import Agreement, Amendment, TerritorialDiagnostic
from tests.url_matrix import Entry, everyone

PDF = b"%PDF-1.4\n%matrix\n"

# A local agreement between ML Lyon and the Vénissieux site (région 84): its parties' managers,
# the région's coordinator, the national committee and administrators edit it.
LOCAL_EDITORS = everyone(
    403,
    manager_ml=200,
    manager_e2c=200,
    regional_coordinator=200,
    national_committee=200,
    administrator=200,
    no_membership=404,
)
READERS = everyone(200, no_membership=404)


def local_agreement(w):
    agreement = Agreement(
        title="Déclinaison locale Lyon — Vénissieux",
        framework=AgreementFramework.UNML_E2C,
        level=AgreementLevel.LOCAL,
        region=w.ml_a.region,
        signed_on=datetime.date(2024, 1, 10),
        starts_on=datetime.date(2024, 1, 15),
        ends_on=datetime.date(2027, 1, 14),
    )
    agreement.signed_document.save("accord.pdf", ContentFile(PDF), save=False)
    agreement.save()
    agreement.parties.set([w.ml_a, w.site])
    return agreement


def agreement_url(name):
    return lambda w: reverse(name, kwargs={"public_id": local_agreement(w).public_id})


def amendment_document(w):
    agreement = local_agreement(w)
    amendment = Amendment(agreement=agreement, number=1, signed_on=datetime.date(2024, 6, 1), summary="Prolongation")
    amendment.signed_document.save("avenant.pdf", ContentFile(PDF), save=False)
    amendment.save()
    return reverse(
        "partners:amendment_document",
        kwargs={"public_id": agreement.public_id, "amendment_id": amendment.public_id},
    )


def diagnostic_update(w):
    diagnostic = TerritorialDiagnostic.objects.create(
        mission_locale=w.ml_a,
        e2c_site=w.site,
        collaboration=CollaborationLevel.REGULAR,
        assessed_on=datetime.date(2024, 3, 1),
    )
    return reverse("partners:diagnostic_update", kwargs={"public_id": diagnostic.public_id})


ENTRIES = [
    Entry("partners:agreements", lambda w: reverse("partners:agreements"), everyone(200, no_membership=403)),
    Entry(
        "partners:agreement_create",
        lambda w: reverse("partners:agreement_create"),
        everyone(
            403,
            manager_ml=200,
            manager_e2c=200,
            regional_coordinator=200,
            national_committee=200,
            administrator=200,
        ),
        methods=("GET", "POST"),
    ),
    Entry("partners:agreement_detail", agreement_url("partners:agreement_detail"), READERS),
    Entry(
        "partners:agreement_update", agreement_url("partners:agreement_update"), LOCAL_EDITORS, methods=("GET", "POST")
    ),
    Entry("partners:agreement_document", agreement_url("partners:agreement_document"), READERS),
    Entry(
        "partners:amendment_create", agreement_url("partners:amendment_create"), LOCAL_EDITORS, methods=("GET", "POST")
    ),
    Entry("partners:amendment_document", amendment_document, READERS),
    Entry("partners:diagnostics", lambda w: reverse("partners:diagnostics"), everyone(200, no_membership=403)),
    Entry(
        "partners:diagnostic_create",
        lambda w: reverse("partners:diagnostic_create"),
        everyone(
            403,
            manager_ml=200,
            manager_e2c=200,
            regional_coordinator=200,
            national_committee=200,
            administrator=200,
        ),
        methods=("GET", "POST"),
    ),
    Entry("partners:diagnostic_update", diagnostic_update, LOCAL_EDITORS, methods=("GET", "POST")),
]
