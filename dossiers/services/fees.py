"""The fee recorded on a dossier at reception: the procedure's list price, or less with a reason.

Decision 766 §4.2 counts the dossiers with a fee to pay (> 0) from what each dossier owes, so
an exemption or reduction (e.g. for a beneficiary of a social policy, as the fee-setting
resolution allows) is recorded with its reason when the dossier is received.
"""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

from ..errors import InvalidInput
from ..models import Procedure

BAD_FEE = _("Phí, lệ phí là số tiền (đồng) không âm, không quá mức phí của thủ tục.")
REASON_REQUIRED = _("Nhập lý do miễn, giảm phí, lệ phí.")
REASON_MAX = 300


def _amount(value) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise InvalidInput(BAD_FEE, fields={"fee": BAD_FEE}) from None
    if not amount.is_finite() or amount != amount.to_integral_value():
        raise InvalidInput(BAD_FEE, fields={"fee": BAD_FEE})
    return amount


def dossier_fee(*, procedure: Procedure, amount=None, exempt_reason: str = "") -> tuple[Decimal, str]:
    """(fee, exemption reason) of a new dossier. No amount: the list price, or 0 (exempt) when a
    reason is given; an amount below the list price needs a reason; above it, or negative, is refused."""
    reason = (exempt_reason or "").strip()[:REASON_MAX]
    listed = procedure.fee
    fee = (Decimal(0) if reason else listed) if amount in (None, "") else _amount(amount)
    if fee < 0 or fee > listed:
        raise InvalidInput(BAD_FEE, fields={"fee": BAD_FEE})
    if fee < listed and not reason:
        raise InvalidInput(REASON_REQUIRED, fields={"fee_exempt_reason": REASON_REQUIRED})
    return fee, reason if fee < listed else ""
