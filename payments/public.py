"""What the public lookup page shows about fees (portal composes it into the page)."""

from urllib.parse import urlencode

from django.urls import reverse

from dossiers.models import Dossier
from dossiers.printing import money_text

from .fees import fee_due
from .receipts import receipt_url
from .services import PAYABLE, payments_enabled


def lookup_payment(dossier_ref) -> dict | None:
    """The fee block of a dossier's lookup page, or None (payment off, or nothing to pay)."""
    if not payments_enabled():
        return None
    dossier = Dossier.objects.select_related("procedure").get(pk=dossier_ref.pk)
    amount = fee_due(dossier)
    if amount <= 0:
        return None
    paid = dossier.payments.paid().order_by("paid_at", "id").first()
    block = {"amount": money_text(amount), "paid": paid}
    if paid is not None:
        block["receipt_url"] = receipt_url(paid)
    elif dossier.status in PAYABLE:
        query = urlencode({"key": dossier.lookup_key})
        block["pay_url"] = f"{reverse('payments:pay', args=[dossier.code])}?{query}"
    return block
