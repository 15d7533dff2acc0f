# CalendarVersion also versions the procedure catalogue: renamed to what it is.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0017_labels"),
    ]

    operations = [
        migrations.RenameModel(old_name="CalendarVersion", new_name="ReferenceVersion"),
        migrations.AlterModelOptions(
            name="referenceversion",
            options={"verbose_name": "phiên bản lịch và danh mục"},
        ),
    ]
