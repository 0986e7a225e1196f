"""Referral pages, namespace ``e2c_referrals``. Each view module declares its urlpatterns.

The home page (``home``, no namespace) is in ``e2c_referrals.views.home``, included by config/urls.py.
"""

from e2c_referrals.views import documents, hand_backs, lists, referrals, sessions

app_name = "e2c_referrals"

urlpatterns = [
    *lists.urlpatterns,
    *referrals.urlpatterns,
    *hand_backs.urlpatterns,
    *sessions.urlpatterns,
    *documents.urlpatterns,
]
