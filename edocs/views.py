"""Signed PDFs for staff: the receipt (Mẫu 01), an apology (Mẫu 04), the electronic result.

Each goes through the access rule (`Dossier.objects.visible_to`, `Apology.objects.visible_to`);
a document that cannot be made (signing off, no certificate) is a page that says why.
"""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from dossiers import printing
from dossiers.models import Apology

from .models import SignedDocument
from .services import DocumentUnavailable, apology_signed, receipt_signed, result_signed, signing_enabled


def signed_file_response(document: SignedDocument, *, inline: bool = False) -> FileResponse:
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=not inline,
        filename=document.file_name,
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _enabled_or_404() -> None:
    if not signing_enabled():
        raise Http404(_("Chức năng ký số văn bản điện tử chưa được bật."))


def _signed(request, make, **kwargs):
    try:
        document = make(actor=request.user, **kwargs)
    except DocumentUnavailable as exc:
        return render(request, "edocs/unavailable.html", {"message": exc.message}, status=exc.status)
    return signed_file_response(document)


@require_GET
@login_required
def receipt_pdf(request, code: str):
    _enabled_or_404()
    return _signed(request, receipt_signed, dossier=printing.dossier_for_print(request.user, code))


@require_GET
@login_required
def result_pdf(request, code: str):
    _enabled_or_404()
    return _signed(request, result_signed, dossier=printing.dossier_for_print(request.user, code))


@require_GET
@login_required
def apology_pdf(request, pk: int):
    _enabled_or_404()
    queryset = Apology.objects.visible_to(request.user).select_related(
        "dossier__procedure", "dossier__receiving_unit__parent", "unit__parent", "signed_by"
    )
    item = queryset.filter(pk=pk).first()
    if item is None:
        raise Http404(_("Không tìm thấy văn bản xin lỗi."))
    return _signed(request, apology_signed, apology=item)
