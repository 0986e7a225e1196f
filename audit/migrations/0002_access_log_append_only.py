"""The access log is append-only for the application: a trigger refuses every UPDATE, and every
DELETE of a row younger than six months (the floor under the configurable retention, 12 months by
default, so that only the retention purge can remove rows, and only old ones)."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION audit_accesslog_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'audit_accesslog is append-only: UPDATE refused' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF OLD.created_at > now() - interval '6 months' THEN
        RAISE EXCEPTION 'audit_accesslog: rows younger than 6 months cannot be deleted'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS audit_accesslog_append_only ON audit_accesslog;
CREATE TRIGGER audit_accesslog_append_only
    BEFORE UPDATE OR DELETE ON audit_accesslog
    FOR EACH ROW EXECUTE FUNCTION audit_accesslog_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_accesslog_append_only ON audit_accesslog;
DROP FUNCTION IF EXISTS audit_accesslog_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunSQL(CREATE, DROP)]
