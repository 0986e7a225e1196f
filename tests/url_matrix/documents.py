"""PDF documents: the referral file (both sides of the referral) and the personal-data export
(the referent organisation's advisers and managers, and administrators for the DPO)."""

from django.urls import reverse

from tests.cej.factories import YoungPersonFactory
from tests.url_matrix import Entry, everyone
from tests.url_matrix.referrals import BOTH_SIDES, url


def personal_data_url(name):
    return lambda w: reverse(
        f"e2c_referrals:{name}", kwargs={"public_id": YoungPersonFactory(organisation=w.ml_a).public_id}
    )


# Roles without the capability: 403; advisers of another organisation: 404 (the file is not theirs).
PERSONAL_DATA = everyone(403, adviser_ml=200, manager_ml=200, administrator=200, adviser_ft=404, manager_e2c=404)

ENTRIES = [
    Entry("e2c_referrals:referral_file", url("referral_file"), BOTH_SIDES),
    Entry("e2c_referrals:personal_data_pdf", personal_data_url("personal_data_pdf"), PERSONAL_DATA),
    Entry("e2c_referrals:personal_data_json", personal_data_url("personal_data_json"), PERSONAL_DATA),
]
