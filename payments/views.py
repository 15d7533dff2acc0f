"""Online payment pages: pay (behind the lookup key), the gateway's return and IPN, the
e-receipt, and the staff page of a dossier's payments (the access rule) with the refund action."""

import logging
from typing import cast
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe

from dossiers.errors import DomainError
from dossiers.models import Dossier
from dossiers.printing import money_text
from dossiers.ratelimit import client_ip
from dossiers.services.lookup import LOOKUP_LIMITED, LOOKUP_NOT_FOUND, lookup_throttled, public_dossier
from edocs.services import DocumentUnavailable, signing_enabled
from edocs.views import signed_file_response

from . import receipts
from .fees import fee_due
from .models import Payment
from .providers import BadSignature, Provider, provider
from .services import UNKNOWN_ERROR, payable_reason, payment_ipn, payment_refund_request, payment_start

log = logging.getLogger(__name__)
PUBLIC_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}
# VNPay's answer codes a citizen may meet (its guide); others are shown by number.
GATEWAY_ANSWERS = {
    "07": gettext_lazy("Giao dịch bị nghi ngờ gian lận; ngân hàng đã trừ tiền, vui lòng liên hệ nơi nộp hồ sơ."),
    "11": gettext_lazy("Đã hết thời gian chờ thanh toán. Vui lòng thực hiện lại."),
    "24": gettext_lazy("Bạn đã hủy giao dịch."),
    "51": gettext_lazy("Tài khoản không đủ số dư."),
    "65": gettext_lazy("Tài khoản đã vượt hạn mức giao dịch trong ngày."),
}
FAILED = gettext_lazy("Giao dịch không thành công (mã %(code)s).")
BAD_RETURN = gettext_lazy("Kết quả trả về không có chữ ký hợp lệ của cổng thanh toán.")
RECEIPT_NOT_FOUND = gettext_lazy("Không tìm thấy biên lai.")
REFUNDED_REQUESTED = gettext_lazy(
    "Đã ghi nhận yêu cầu hoàn tiền giao dịch %(ref)s; yêu cầu sẽ được gửi đến cổng thanh toán."
)


def _public(request, template: str, context: dict, *, status: int = 200, retry_after: int = 0) -> HttpResponse:
    response = render(request, template, context, status=status)
    for header, value in PUBLIC_HEADERS.items():
        response[header] = value
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def return_url() -> str:
    return settings.PORTAL_PUBLIC_BASE_URL + reverse("payments:vnpay-return")


# -- the citizen ---------------------------------------------------------------------------------


def _behind_key(request, code: str, key: str):
    """(the dossier, None) when the key opens it, else (None, the lookup's refusal page)."""
    retry_after, _read = lookup_throttled(request, code=code)
    if retry_after:
        context = {"message": LOOKUP_LIMITED, "retry_after": retry_after}
        return None, _public(request, "public/lookup_refused.html", context, status=429, retry_after=retry_after)
    dossier = public_dossier(code=code, key=key)
    if dossier is None:
        return None, _public(request, "public/lookup_refused.html", {"message": LOOKUP_NOT_FOUND}, status=404)
    return dossier, None


def _gateway_allowed(response):
    """The pay button's form ends in a redirect to the gateway: the page's Content-Security-Policy
    lets forms go there (form-action covers redirects), and nowhere else but the site."""
    parts = urlsplit(settings.PORTAL_VNPAY_URL)
    if parts.scheme and parts.netloc:
        response._csp_update = {"form-action": f"{parts.scheme}://{parts.netloc}"}
    return response


@csrf_exempt  # no session or cookie here: the lookup key in the form is the credential
@require_http_methods(["GET", "POST"])
def pay(request, code: str):
    """The amount and a button (GET); the button starts a payment and goes to the gateway (POST)."""
    data = request.POST if request.method == "POST" else request.GET
    dossier, refusal = _behind_key(request, code, data.get("key", ""))
    if refusal is not None:
        return refusal
    reason = payable_reason(dossier)
    context = {"d": dossier, "amount": money_text(fee_due(dossier)), "reason": reason}
    if request.method == "GET" or reason:
        return _gateway_allowed(_public(request, "payments/pay.html", context, status=409 if reason else 200))
    try:
        payment = payment_start(dossier_id=dossier.pk, client_ip=client_ip(request))
    except DomainError as exc:
        return _public(request, "payments/pay.html", context | {"reason": exc.message}, status=exc.status)
    gateway = cast(Provider, provider())  # payment_start refuses when there is none
    return redirect(gateway.payment_url(payment, return_url=return_url(), client_ip=client_ip(request)))


@require_safe
def vnpay_return(request):
    """Where the gateway sends the citizen back: what we know of the payment (the IPN decides)."""
    gateway = provider()
    if gateway is None:
        raise Http404(_("Chưa có cổng thanh toán trực tuyến."))
    try:
        notice = gateway.verify_return(request.GET)
    except BadSignature:
        return _public(request, "payments/return.html", {"error": BAD_RETURN}, status=400)
    payment = Payment.objects.select_related("dossier").filter(txn_ref=notice.txn_ref, provider=gateway.name).first()
    if payment is None:
        return _public(request, "payments/return.html", {"error": RECEIPT_NOT_FOUND}, status=404)
    context = {"payment": payment, "amount": money_text(payment.amount)}
    if payment.is_paid:
        context["receipt_url"] = receipts.receipt_url(payment)
    elif not notice.success:
        context["failure"] = GATEWAY_ANSWERS.get(notice.response_code) or FAILED % {"code": notice.response_code}
    return _public(request, "payments/return.html", context)


@csrf_exempt  # called by the gateway, server to server; its checksum is the credential
@require_GET
def vnpay_ipn(request):
    try:
        answer = payment_ipn(params=request.GET)
    except Exception:  # noqa: BLE001 — VNPay's guide: any other failure answers 99 and the gateway retries
        log.exception("IPN not recorded")
        answer = UNKNOWN_ERROR
    return JsonResponse(answer.as_json())


def _receipt_or_404(request, txn_ref: str) -> Payment:
    payment = receipts.paid_payment(txn_ref)
    if payment is None or not receipts.receipt_token_ok(payment, request.GET.get("t", "")):
        raise Http404(RECEIPT_NOT_FOUND)
    return payment


@require_safe
def receipt(request, txn_ref: str):
    payment = _receipt_or_404(request, txn_ref)
    context = receipts.receipt_context(payment)
    if signing_enabled():
        context["pdf_url"] = receipts.receipt_pdf_url(payment)
    return _public(request, receipts.TEMPLATE, context)


@require_safe
def receipt_pdf(request, txn_ref: str):
    payment = _receipt_or_404(request, txn_ref)
    try:
        document = receipts.receipt_signed(payment)
    except DocumentUnavailable as exc:
        raise Http404(exc.message) from None
    response = signed_file_response(document)
    for header, value in PUBLIC_HEADERS.items():
        response[header] = value
    return response


# -- staff ---------------------------------------------------------------------------------------


def _visible_or_404(user, code: str) -> Dossier:
    dossier = Dossier.objects.visible_to(user).select_related("procedure", "receiving_unit").filter(code=code).first()
    if dossier is None:
        raise Http404(_("Không tìm thấy hồ sơ hoặc bạn không có quyền xem."))
    return dossier


def _render_staff(request, dossier: Dossier, *, error=None, status=200):
    items = list(dossier.payments.for_dossier_page())
    for item in items:
        item.receipt_url = receipts.receipt_url(item) if item.is_paid else None
    context = {
        "d": dossier,
        "payments": items,
        "fee": money_text(fee_due(dossier)),
        "error": error,
        "refundable": (Payment.Status.PAID, Payment.Status.REFUND_FAILED),
    }
    return render(request, "payments/staff.html", context, status=status)


@require_GET
@login_required
def staff(request, code: str):
    return _render_staff(request, _visible_or_404(request.user, code))


@require_POST
@login_required
def staff_refund(request, code: str):
    dossier = _visible_or_404(request.user, code)
    payment = dossier.payments.filter(txn_ref=request.POST.get("txn_ref", "")[:32]).first()
    if payment is None:
        raise Http404(_("Không tìm thấy giao dịch."))
    try:
        payment_refund_request(payment_id=payment.pk, actor=request.user, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        return _render_staff(request, dossier, error=exc.message, status=exc.status)
    messages.success(request, REFUNDED_REQUESTED % {"ref": payment.txn_ref})
    return redirect("payments:staff", code=dossier.code)
