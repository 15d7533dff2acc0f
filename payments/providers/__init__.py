"""The gateway interface: start a payment, read the gateway's signed notices, ask a refund.

A provider never touches the database; `payments.services` decides what a notice changes.
One real protocol is implemented: VNPay (`vnpay.VNPay`), on when its settings are set.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol


class BadSignature(Exception):
    """The gateway's checksum does not match what it signed (or it came from another terminal)."""


class GatewayUnavailable(Exception):
    """The gateway could not be reached or answered something unreadable."""


@dataclass(frozen=True)
class Notice:
    """The gateway's signed word about one payment (the return redirect or the IPN call)."""

    txn_ref: str
    amount: Decimal | None  # in đồng; None when the gateway's figure is unreadable
    success: bool
    response_code: str
    transaction_no: str = ""
    bank_code: str = ""
    pay_date: str = ""
    raw: dict = field(default_factory=dict)


@dataclass(frozen=True)
class RefundAnswer:
    accepted: bool
    response_code: str
    message: str
    raw: dict = field(default_factory=dict)


class Provider(Protocol):
    name: str

    def payment_url(self, payment, *, return_url: str, client_ip: str) -> str:
        """Where to send the citizen to pay `payment` (a signed redirect)."""

    def verify_return(self, params: Mapping[str, str]) -> Notice:
        """The notice in the citizen's return to us; BadSignature if it was not signed by the gateway."""

    def verify_ipn(self, params: Mapping[str, str]) -> Notice:
        """The notice the gateway sends server to server; BadSignature likewise."""

    def refund(self, payment, *, requested_by: str, client_ip: str) -> RefundAnswer:
        """Ask the gateway to pay the amount back; GatewayUnavailable or BadSignature on failure."""


def provider() -> Provider | None:
    """The configured gateway, or None: online payment is off (no pay link is shown)."""
    from .vnpay import VNPay

    return VNPay.from_settings()


def provider_named(name: str) -> Provider | None:
    found = provider()
    return found if found is not None and found.name == name else None
