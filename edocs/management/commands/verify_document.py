"""manage.py verify_document FILE [--dossier CODE]: a signed document's signature and record."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ...verify import document_verify


class Command(BaseCommand):
    help = "Kiểm tra chữ ký số của một tệp PDF và việc tệp thuộc đúng hồ sơ đã ghi trong sổ văn bản đã ký."

    def add_arguments(self, parser):
        parser.add_argument("file", help="tệp PDF cần kiểm tra")
        parser.add_argument("--dossier", help="mã hồ sơ mà tệp phải thuộc về")

    def handle(self, *args, file: str, dossier: str | None = None, **options):
        try:
            with open(file, "rb") as f:
                data = f.read()
        except OSError as exc:
            raise CommandError(f"Không đọc được tệp {file}: {exc.strerror}") from exc
        verdict = document_verify(data, dossier_code=dossier)
        document = verdict.document
        if not verdict.ok or document is None:  # no record of the file is one of the problems
            raise CommandError("Không hợp lệ:\n- " + "\n- ".join(verdict.problems))
        signed_at = timezone.localtime(document.signed_at).strftime("%d/%m/%Y %H:%M")
        self.stdout.write(
            f"Hợp lệ: {document.get_kind_display()} của hồ sơ {document.dossier.code}, "
            f"ký số bởi {verdict.check.signer_subject} ({document.unit.name}) lúc {signed_at}, "
            f"mức PAdES {document.level}."
        )
