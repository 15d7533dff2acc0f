"""The electronic receipt (biên lai điện tử) of a paid payment: a page, and a PDF signed by the
receiving unit when signing is on (edocs). Reached by a token bound to the payment."""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import constant_time_compare, salted_hmac

from dossiers import printing
from edocs.models import SignedDocument
from edocs.pdf import html_to_pdf
from edocs.services import Draft, document_sign

from .models import Payment

TEMPLATE = "payments/receipt.html"


def receipt_token(payment: Payment) -> str:
    return salted_hmac("payments.receipt", payment.txn_ref).hexdigest()[:32]


def receipt_token_ok(payment: Payment, token: str) -> bool:
    return constant_time_compare(receipt_token(payment), (token or "")[:64])


def receipt_url(payment: Payment) -> str:
    return f"{reverse('payments:receipt', args=[payment.txn_ref])}?t={receipt_token(payment)}"


def receipt_pdf_url(payment: Payment) -> str:
    return f"{reverse('payments:receipt-pdf', args=[payment.txn_ref])}?t={receipt_token(payment)}"


def receipt_context(payment: Payment) -> dict:
    dossier = payment.dossier
    header = printing.header_for(dossier.receiving_unit, at=payment.paid_at)
    return {
        "form": "payment_receipt",
        "form_version": dossier.form_version or printing.DEFAULT_FORM_VERSION,
        "header": header,
        "payment": payment,
        "dossier": dossier,
        "procedure": dossier.procedure,
        "amount": printing.money_text(payment.amount),
        "payer": dossier.applicant_name,
    }


def receipt_html(payment: Payment, request=None) -> str:
    with translation.override("vi"):  # a receipt is issued in Vietnamese
        return render_to_string(TEMPLATE, receipt_context(payment), request=request)


def receipt_signed(payment: Payment) -> SignedDocument:
    """The e-receipt as PDF, signed by the unit that received the dossier (and its fees)."""
    html = receipt_html(payment)
    draft = Draft(
        kind=SignedDocument.Kind.PAYMENT_RECEIPT,
        subject=f"payment:{payment.pk}",
        source=html.encode(),
        file_name=f"bien-lai-{payment.receipt_number}.pdf",
        title="Biên lai thu phí, lệ phí điện tử",
        make=lambda: html_to_pdf(html),
    )
    return document_sign(dossier=payment.dossier, unit=payment.dossier.receiving_unit, draft=draft)


def paid_payment(txn_ref: str) -> Payment | None:
    return (
        Payment.objects.paid()
        .select_related("dossier__procedure", "dossier__receiving_unit__parent")
        .filter(txn_ref=(txn_ref or "")[:32])
        .first()
    )
