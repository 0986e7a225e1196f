"""One consent in force per young person and E2C site: resolve the duplicates, then the unique index.

Until now the same consent could be recorded several times, and withdrawing one left the others in
force: the E2C kept seeing what the young person had withdrawn. Resolved per (young person, site),
nothing deleted (every row stays, the history triggers record each change, the file's history says
what was done):

1. a consent still in force that was recorded **before** a withdrawal of the same pair is withdrawn
   with it (same moment, same person, a reason saying so): the adviser was told « plus aucun partage
   avec ce site » and the young person asked for it;
2. among those left in force, the newest (date of the agreement, then the latest recorded) stays in
   force; the others are marked replaced, each linked from the next newer one.
"""

from django.db import migrations, models
from django.db.models import Count, Max, Q
from django.utils import timezone

CURRENT = Q(revoked_at__isnull=True, superseded_at__isnull=True)


def resolve_duplicates(apps, schema_editor):
    Consent = apps.get_model("cej", "Consent")
    YoungPersonEvent = apps.get_model("cej", "YoungPersonEvent")
    now = timezone.now()
    # Pairs that have more than one consent in force, or one in force and a withdrawal after it.
    last_withdrawals = {
        (row["young_person_id"], row["e2c_site_id"]): row["last"]
        for row in Consent.objects.filter(revoked_at__isnull=False)
        .values("young_person_id", "e2c_site_id")
        .annotate(last=Max("revoked_at"))
    }
    crowded = {
        (row["young_person_id"], row["e2c_site_id"])
        for row in Consent.objects.filter(CURRENT).values("young_person_id", "e2c_site_id").annotate(n=Count("id"))
        if row["n"] > 1
    }
    pairs = crowded | {
        pair
        for pair, last in last_withdrawals.items()
        if Consent.objects.filter(CURRENT, young_person_id=pair[0], e2c_site_id=pair[1], created_at__lt=last).exists()
    }
    for young_person_id, e2c_site_id in sorted(pairs):
        in_force = list(
            Consent.objects.select_for_update()
            .filter(CURRENT, young_person_id=young_person_id, e2c_site_id=e2c_site_id)
            .select_related("e2c_site")
            .order_by("-given_on", "-id")
        )
        site = in_force[0].e2c_site
        withdrawn = []
        last = last_withdrawals.get((young_person_id, e2c_site_id))
        if last is not None:
            withdrawal = (
                Consent.objects.filter(young_person_id=young_person_id, e2c_site_id=e2c_site_id, revoked_at=last)
                .order_by("-id")
                .first()
            )
            for consent in [consent for consent in in_force if consent.created_at < last]:
                consent.revoked_at = withdrawal.revoked_at
                consent.revoked_by_id = withdrawal.revoked_by_id
                consent.revocation_reason = (
                    f"Retiré avec l'accord du {withdrawal.given_on:%d/%m/%Y}, retiré le "
                    f"{timezone.localtime(withdrawal.revoked_at):%d/%m/%Y} : un seul accord vaut par site."
                )
                consent.save(update_fields=["revoked_at", "revoked_by", "revocation_reason", "updated_at"])
                withdrawn.append(consent)
        left = [consent for consent in in_force if consent not in withdrawn]
        replaced = left[1:]
        for consent in replaced:  # out of force first, then linked from the next newer one
            consent.superseded_at = now
            consent.save(update_fields=["superseded_at", "updated_at"])
        for newer, older in zip(left, replaced, strict=False):
            newer.supersedes = older
            newer.save(update_fields=["supersedes", "updated_at"])
        parts = []
        if withdrawn:
            parts.append(f"{len(withdrawn)} retiré{'s' if len(withdrawn) > 1 else ''} avec le retrait déjà demandé")
        if replaced:
            parts.append(f"{len(replaced)} remplacé{'s' if len(replaced) > 1 else ''} par le plus récent")
        YoungPersonEvent.objects.create(
            young_person_id=young_person_id,
            created_at=now,
            action=f"Accords de partage en double résolus ({site}) : {', '.join(parts)}",
        )
    # The foreign keys are checked at commit (deferred): checked now, so that the index can be built
    # in the same transaction (PostgreSQL refuses CREATE INDEX on a table with pending trigger events).
    schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("cej", "0010_consent_superseded"),
        # The history triggers of cej_consent write the new columns: the table must have them first.
        ("history", "0005_consentchange_superseded"),
    ]

    operations = [
        migrations.RunPython(resolve_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="consent",
            constraint=models.UniqueConstraint(
                condition=models.Q(("revoked_at__isnull", True), ("superseded_at__isnull", True)),
                fields=("young_person", "e2c_site"),
                name="consent_one_current_per_site",
                violation_error_message="Un accord de partage est déjà en vigueur avec ce site.",
            ),
        ),
    ]
