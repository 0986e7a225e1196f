from django.db import migrations


class Migration(migrations.Migration):
    """JobRun moves to the scheduling app: its table stays where it is (scheduling names it)."""

    dependencies = [
        ("outbox", "0003_message_address"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="JobRun")],
            database_operations=[],
        ),
    ]
