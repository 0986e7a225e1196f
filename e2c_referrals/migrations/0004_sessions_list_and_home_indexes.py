"""Indexes of the everyday pages at national scale (issue 21): the sessions not yet over
(``session_upcoming``), the sites a referrer follows (``referral_open_by_referrer``, read alone), the
oldest open hand-backs of an organisation in order (``hand_back_open_queue``, the home page)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("e2c_referrals", "0003_attachment_history_insert_attachment_history_update_and_more"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="handback",
            index=models.Index(
                condition=models.Q(("handled_at__isnull", True)),
                fields=["organisation", "created_at", "id"],
                name="hand_back_open_queue",
            ),
        ),
        migrations.AddIndex(
            model_name="informationsession",
            index=models.Index(fields=["ends_at"], name="session_upcoming"),
        ),
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(
                condition=models.Q(
                    (
                        "status__in",
                        [
                            "acknowledged",
                            "attended",
                            "draft",
                            "enrolled",
                            "integration",
                            "interview",
                            "invited",
                            "no_show",
                            "sent",
                        ],
                    )
                ),
                fields=["referring_organisation", "e2c_site"],
                name="referral_open_by_referrer",
            ),
        ),
    ]
