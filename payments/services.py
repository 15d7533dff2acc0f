"""Online payment of a dossier's fees: start, the gateway's notice (IPN), refunds.

The gateway's IPN is the only thing that marks a payment paid or failed (VNPay's guide: the
return redirect is for display); it is checked in the guide's order — checksum, order, amount,
state — and a replay changes nothing. Paying records a public event on the dossier; it does not
move the dossier's status: the officer confirms the obligation met (`payment_received`, 6 → 4).
"""

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dossiers.access import grant_of
from dossiers.errors import Conflict, Forbidden, InvalidInput
from dossiers.models import Dossier, Status
from dossiers.roles import UNIT_LEADER
from dossiers.services.events import event_record
from dossiers.services.lookup import public_answers_forget_on_commit

from .fees import fee_due
from .models import Payment, PaymentEvent
from .providers import BadSignature, GatewayUnavailable, Notice, provider, provider_named

log = logging.getLogger(__name__)
# Fees can be paid from submission until the result is handed over; never for a closed dossier.
PAYABLE = frozenset(
    {Status.SUBMITTED, Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT, Status.PAYMENT, Status.DONE}
)
NOT_ENABLED = _("Chưa có cổng thanh toán trực tuyến.")
NOTHING_DUE = _("Hồ sơ không phải nộp phí, lệ phí.")
NOT_PAYABLE = _("Hồ sơ ở trạng thái này không thanh toán trực tuyến được.")
ALREADY_PAID = _("Phí, lệ phí của hồ sơ đã được thanh toán.")
REFUND_REASON_REQUIRED = _("Nhập lý do hoàn tiền.")
REFUND_LEADERS_ONLY = _("Chỉ lãnh đạo đơn vị tiếp nhận hồ sơ được yêu cầu hoàn tiền.")
NOT_REFUNDABLE = _("Chỉ hoàn tiền khoản đã thanh toán (hoặc yêu cầu hoàn tiền trước đó không thành công).")


def payments_enabled() -> bool:
    return provider() is not None


def payable_reason(dossier: Dossier) -> str | Promise | None:
    """Why the dossier cannot be paid online now, or None."""
    if not payments_enabled():
        return NOT_ENABLED
    if fee_due(dossier) <= 0:
        return NOTHING_DUE
    if dossier.status not in PAYABLE:
        return NOT_PAYABLE
    if dossier.payments.paid().exists():
        return ALREADY_PAID
    return None


def _txn_ref() -> str:
    # Unique, unguessable, and in the characters VNPay accepts for vnp_TxnRef.
    return f"{timezone.now():%y%m%d}{secrets.token_hex(6).upper()}"


def _trail(payment: Payment, action: str, *, actor=None, **data) -> None:
    PaymentEvent(payment=payment, action=action, actor=actor, data=data).save(force_insert=True)


@transaction.atomic
def payment_start(*, dossier_id: int, client_ip: str | None) -> Payment:
    """A new attempt for the amount due now (a citizen who comes back later starts another)."""
    dossier = Dossier.objects.select_for_update().select_related("procedure").get(pk=dossier_id)
    reason = payable_reason(dossier)
    if reason is not None:
        raise Conflict(reason)
    gateway = provider()
    if gateway is None:  # refused above already (payable_reason: NOT_ENABLED)
        raise Conflict(NOT_ENABLED)
    payment = Payment.objects.create(
        dossier=dossier,
        provider=gateway.name,
        txn_ref=_txn_ref(),
        amount=fee_due(dossier),
        client_ip=client_ip,
    )
    _trail(payment, "created", amount=str(payment.amount))
    return payment


# -- the gateway's notice -------------------------------------------------------------------------


@dataclass(frozen=True)
class IpnAnswer:
    code: str
    message: str

    def as_json(self) -> dict:
        return {"RspCode": self.code, "Message": self.message}


# The answers of VNPay's guide; the gateway retries an IPN until it hears 00 or 02.
CONFIRMED = IpnAnswer("00", "Confirm Success")
ORDER_NOT_FOUND = IpnAnswer("01", "Order not found")
ALREADY_CONFIRMED = IpnAnswer("02", "Order already confirmed")
INVALID_AMOUNT = IpnAnswer("04", "invalid amount")
INVALID_CHECKSUM = IpnAnswer("97", "Invalid Checksum")
UNKNOWN_ERROR = IpnAnswer("99", "Unknow error")


def payment_ipn(*, params) -> IpnAnswer:
    """Record the gateway's notice of a payment's outcome, once."""
    gateway = provider()
    if gateway is None:
        return UNKNOWN_ERROR
    try:
        notice = gateway.verify_ipn(params)
    except BadSignature:
        return INVALID_CHECKSUM
    return _apply(gateway.name, notice)


@transaction.atomic
def _apply(provider_name: str, notice: Notice) -> IpnAnswer:
    payment = Payment.objects.select_for_update().filter(txn_ref=notice.txn_ref, provider=provider_name).first()
    if payment is None:
        return ORDER_NOT_FOUND
    if notice.amount != payment.amount:
        return INVALID_AMOUNT
    if payment.status != Payment.Status.PENDING:
        return ALREADY_CONFIRMED  # a replay: nothing changes
    payment.response_code = notice.response_code
    payment.provider_txn_no = notice.transaction_no[:32]
    payment.bank_code = notice.bank_code[:32]
    payment.provider_pay_date = notice.pay_date[:14]
    if notice.success:
        _paid(payment)
    else:
        payment.status = Payment.Status.FAILED
        payment.save()
    _trail(payment, "ipn", **notice.raw)
    return CONFIRMED


def _paid(payment: Payment) -> None:
    payment.status = Payment.Status.PAID
    payment.paid_at = timezone.now()
    payment.save()
    # The receipt's number follows the row: unique, never reused (Decree 123/2020, e-receipts).
    payment.receipt_number = f"BL-{timezone.localtime(payment.paid_at):%Y}-{payment.pk:07d}"
    payment.save(update_fields=["receipt_number"])
    _dossier_event(payment, "payment_paid", at=payment.paid_at, is_public=True)


def _dossier_event(
    payment: Payment, action: str, *, at: datetime, actor: User | None = None, reason: str = "", is_public: bool
) -> None:
    dossier = Dossier.objects.select_related("receiving_unit").get(pk=payment.dossier_id)
    event_record(
        dossier=dossier,
        action=action,
        actor=actor,
        at=at,
        unit=dossier.receiving_unit,
        reason=reason,
        data={"txn_ref": payment.txn_ref, "amount": str(payment.amount), "provider": payment.provider},
        is_public=is_public,
    )
    # A new public event: the public status cached by `updated_at`, and the lookup's answers, are stale.
    dossier.save(update_fields=["updated_at"])
    if is_public:
        public_answers_forget_on_commit(dossier.code)


# -- refunds ---------------------------------------------------------------------------------------


@transaction.atomic
def payment_refund_request(*, payment_id: int, actor: User, reason: str) -> Payment:
    """A leader of the receiving unit asks the money back (e.g. a refused or withdrawn dossier);
    the gateway is called after commit (`payment_refund_send`)."""
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    if not grant_of(actor).acts_in(payment.dossier.receiving_unit_id, {UNIT_LEADER}):
        raise Forbidden(REFUND_LEADERS_ONLY)
    reason = (reason or "").strip()[:500]
    if not reason:
        raise InvalidInput(REFUND_REASON_REQUIRED, fields={"reason": REFUND_REASON_REQUIRED})
    if payment.status not in (Payment.Status.PAID, Payment.Status.REFUND_FAILED):
        raise Conflict(NOT_REFUNDABLE)
    payment.status = Payment.Status.REFUND_REQUESTED
    payment.refund_reason, payment.refund_requested_by = reason, actor
    payment.refund_requested_at = timezone.now()
    payment.save()
    _trail(payment, "refund_request", actor=actor, reason=reason)
    _dossier_event(
        payment, "payment_refund_request", at=payment.refund_requested_at, actor=actor, reason=reason, is_public=False
    )
    transaction.on_commit(lambda: payment_refund_kick(payment.pk))
    return payment


def payment_refund_kick(payment_id: int) -> None:
    """Publish the refund's task; never raises (the periodic task sends what was not published)."""
    from .tasks import payment_refund_task

    try:
        payment_refund_task.apply_async((payment_id,), retry=False)
    except Exception as exc:  # noqa: BLE001 — broker down: payment_refunds_pending_task sends it later
        log.warning("could not publish the refund of payment %s (%s); the periodic task will send it", payment_id, exc)


@transaction.atomic
def payment_refund_send(*, payment_id: int) -> Payment | None:
    """Ask the gateway to refund a requested payment; safe to run twice (the row is locked and
    only a payment still `refund_requested` is sent). An unreachable gateway leaves it requested."""
    payment = (
        Payment.objects.select_for_update(skip_locked=True).select_related("dossier").filter(pk=payment_id).first()
    )
    if payment is None or payment.status != Payment.Status.REFUND_REQUESTED:
        return payment
    gateway = provider_named(payment.provider)
    if gateway is None:
        log.warning("refund of payment %s waits: its gateway %s is not configured", payment.pk, payment.provider)
        return payment
    by = payment.refund_requested_by.get_username() if payment.refund_requested_by else "motcua"
    try:
        answer = gateway.refund(payment, requested_by=by, client_ip=payment.client_ip or "")
    except (GatewayUnavailable, BadSignature) as exc:
        log.warning("refund of payment %s not sent: %s", payment.pk, exc)
        _trail(payment, "refund_error", error=str(exc)[:500])
        return payment
    _trail(payment, "refund_answer", accepted=answer.accepted, **{k: str(v) for k, v in answer.raw.items()})
    if not answer.accepted:
        payment.status = Payment.Status.REFUND_FAILED
        payment.save()
        return payment
    payment.status, payment.refunded_at = Payment.Status.REFUNDED, timezone.now()
    payment.save()
    _dossier_event(payment, "payment_refunded", at=payment.refunded_at, is_public=True)
    return payment


def payment_refunds_pending() -> int:
    """Send every refund still waiting (its task never published, or the gateway was down)."""
    waiting = Payment.objects.filter(status=Payment.Status.REFUND_REQUESTED).order_by("refund_requested_at")
    sent = 0
    for payment_id in waiting.values_list("pk", flat=True)[:100]:
        result = payment_refund_send(payment_id=payment_id)
        sent += result is not None and result.status != Payment.Status.REFUND_REQUESTED
    return sent
