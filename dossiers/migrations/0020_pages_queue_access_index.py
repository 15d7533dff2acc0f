from django.db import migrations

# The staff queues' tab counts (dossiers.queues.queue_counts: one COUNT … FILTER aggregate) read the
# dossiers a queue can list — open or done, statuses 1, 2, 4, 5, 6, 9 — that the access rule lets the
# user see: received, led or held by their units (dossiers.access.dossier_filter). No B-tree serves that
# OR, so the aggregate read the whole table (4,668 buffers at 100k dossiers, docs/scaling.md). This
# partial index holds only those dossiers, with every column the aggregate and the rule read, so it is
# one index-only scan that grows with the work in progress, not with the history (94 buffers).
# PostgreSQL only: INCLUDE is not supported on SQLite, whose tables are small.
INDEX = (
    "CREATE INDEX dossier_queue_access_idx ON dossiers_dossier (status, due_at)"
    " INCLUDE (id, receiving_unit_id, lead_unit_id, current_unit_id, assignee_id)"
    " WHERE status IN (1, 2, 4, 5, 6, 9)"
)


def index_create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INDEX)


def index_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS dossier_queue_access_idx")


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0019_pages_register_unit_index")]

    operations = [migrations.RunPython(index_create, index_drop)]
