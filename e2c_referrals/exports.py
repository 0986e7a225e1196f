"""The referral files export: a ZIP of the referral files of a period, its kind registered in the
shared ``exports`` app by ``E2cReferralsConfig.ready()`` with its request page."""

from exports.registry import ExportKind

REFERRAL_FILES = ExportKind(
    name="referral_files",
    label="Fiches de liaison d'une période (ZIP)",
    builder="e2c_referrals.pdf.batch.build_referral_files_zip",
    extension="zip",
    content_type="application/zip",
    filename_prefix="fiches-de-liaison",
    request_path="fiches-de-liaison",
    request_view="e2c_referrals.views.exports.referral_files_request",
)
