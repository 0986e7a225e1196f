import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    """JobRun comes from the outbox with its table (``outbox_jobrun``): the state only, no SQL."""

    initial = True

    dependencies = [
        ("outbox", "0004_jobrun_to_scheduling"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="JobRun",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("job", models.CharField(max_length=64, verbose_name="tâche")),
                        ("started_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="début")),
                        ("finished_at", models.DateTimeField(blank=True, null=True, verbose_name="fin")),
                        (
                            "outcome",
                            models.CharField(
                                choices=[("running", "En cours"), ("succeeded", "Terminé"), ("failed", "Échec")],
                                default="running",
                                max_length=16,
                                verbose_name="résultat",
                            ),
                        ),
                        ("examined", models.PositiveIntegerField(default=0, verbose_name="lignes examinées")),
                        ("enqueued", models.PositiveIntegerField(default=0, verbose_name="messages écrits")),
                        ("error", models.CharField(blank=True, max_length=200, verbose_name="erreur")),
                    ],
                    options={
                        "verbose_name": "exécution de tâche planifiée",
                        "db_table": "outbox_jobrun",
                        "indexes": [models.Index(fields=["job", "-started_at"], name="outbox_job_last_run")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
