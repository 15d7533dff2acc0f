# Issue 16 point 7 / issue 17: the staff search flat from 1M to 10M dossiers. A whole name typed
# ("tran thi my linh") is looked up by equality on motcua_fold(applicant_name), newest first, through
# this B-tree — the trigram GIN walks posting lists that grow with the history (70 ms at 1M, 381 ms at
# 10M for one name, bench/bench_search.py). The order columns are the list's (Dossier.Meta.ordering),
# so a page is read off the index without a sort. PostgreSQL only, like motcua_fold itself (0015).

from django.db import migrations

INDEX_SQL = (
    "CREATE INDEX IF NOT EXISTS dossier_name_fold_idx ON dossiers_dossier"
    " (motcua_fold(applicant_name), submitted_at DESC, id DESC)"
)


def index_create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INDEX_SQL)


def index_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS dossier_name_fold_idx")


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0022_kpi_rollup_trend_index")]

    operations = [migrations.RunPython(index_create, index_drop)]
