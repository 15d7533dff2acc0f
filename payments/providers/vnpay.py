"""VNPay payment gateway, API version 2.1.0, as its public integration guide describes.

- Pay: redirect to `PORTAL_VNPAY_URL?…&vnp_SecureHash=…`, the hash an HMAC-SHA512 with the
  terminal's secret over the vnp_ fields sorted by name and URL-encoded (`key=value&…`,
  spaces as `+`, empty values left out). Amounts are in đồng × 100; dates yyyyMMddHHmmss GMT+7.
- The citizen comes back to vnp_ReturnUrl and the gateway calls our IPN URL (configured at
  VNPay), both with a query signed the same way; only the IPN changes a payment.
- Refund: a JSON POST to `PORTAL_VNPAY_API_URL` (command `refund`), whose checksum is an
  HMAC-SHA512 over the fields joined by `|` in the order the guide lists; so is the answer's.
"""

import hmac
import json
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from hashlib import sha512
from urllib import error, request
from urllib.parse import quote_plus

from django.conf import settings
from django.utils import timezone

from dossiers.calendar import LOCAL_TZ

from . import BadSignature, GatewayUnavailable, Notice, RefundAnswer

VERSION = "2.1.0"
SUCCESS = "00"
HASH_FIELDS = ("vnp_SecureHash", "vnp_SecureHashType")
REFUND_REQUEST_FIELDS = (
    "vnp_RequestId",
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_TransactionType",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_TransactionNo",
    "vnp_TransactionDate",
    "vnp_CreateBy",
    "vnp_CreateDate",
    "vnp_IpAddr",
    "vnp_OrderInfo",
)
REFUND_ANSWER_FIELDS = (
    "vnp_ResponseId",
    "vnp_Command",
    "vnp_ResponseCode",
    "vnp_Message",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_BankCode",
    "vnp_PayDate",
    "vnp_TransactionNo",
    "vnp_TransactionType",
    "vnp_TransactionStatus",
    "vnp_OrderInfo",
)
FULL_REFUND = "02"


def hmac_sha512(secret: str, data: str) -> str:
    return hmac.new(secret.encode(), data.encode(), sha512).hexdigest()


def hash_data(params: Mapping[str, str]) -> str:
    """The signed text of a query: its non-empty vnp_ fields but the hash, sorted, URL-encoded."""
    pairs = sorted((k, str(v)) for k, v in params.items() if k.startswith("vnp_") and k not in HASH_FIELDS and v != "")
    return "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in pairs)


def gmt7(at: datetime) -> str:
    return timezone.localtime(at, LOCAL_TZ).strftime("%Y%m%d%H%M%S")


def _amount(raw: str) -> Decimal | None:
    try:
        value = Decimal(raw)
    except (InvalidOperation, TypeError):
        return None
    return value / 100 if value == value.to_integral_value() and value >= 0 else None


class VNPay:
    name = "vnpay"

    def __init__(self, *, tmn_code: str, secret: str, pay_url: str, api_url: str, timeout: float, expire_minutes: int):
        self.tmn_code, self.secret = tmn_code, secret
        self.pay_url, self.api_url = pay_url, api_url
        self.timeout, self.expire_minutes = timeout, expire_minutes

    @classmethod
    def from_settings(cls) -> "VNPay | None":
        if not (settings.PORTAL_VNPAY_TMN_CODE and settings.PORTAL_VNPAY_HASH_SECRET):
            return None
        return cls(
            tmn_code=settings.PORTAL_VNPAY_TMN_CODE,
            secret=settings.PORTAL_VNPAY_HASH_SECRET,
            pay_url=settings.PORTAL_VNPAY_URL,
            api_url=settings.PORTAL_VNPAY_API_URL,
            timeout=settings.PORTAL_VNPAY_TIMEOUT,
            expire_minutes=settings.PORTAL_VNPAY_EXPIRE_MINUTES,
        )

    # -- pay ------------------------------------------------------------------------------------

    def payment_params(self, payment, *, return_url: str, client_ip: str) -> dict[str, str]:
        return {
            "vnp_Version": VERSION,
            "vnp_Command": "pay",
            "vnp_TmnCode": self.tmn_code,
            "vnp_Amount": str(int(payment.amount) * 100),
            "vnp_CurrCode": "VND",
            "vnp_TxnRef": payment.txn_ref,
            # The guide asks for Vietnamese without diacritics and no special characters here.
            "vnp_OrderInfo": f"Nop phi le phi ho so {payment.dossier.code}",
            "vnp_OrderType": "other",
            "vnp_Locale": "vn",
            "vnp_ReturnUrl": return_url,
            "vnp_IpAddr": client_ip or "127.0.0.1",
            "vnp_CreateDate": gmt7(payment.created_at),
            "vnp_ExpireDate": gmt7(payment.created_at + timedelta(minutes=self.expire_minutes)),
        }

    def payment_url(self, payment, *, return_url: str, client_ip: str) -> str:
        query = hash_data(self.payment_params(payment, return_url=return_url, client_ip=client_ip))
        return f"{self.pay_url}?{query}&vnp_SecureHash={hmac_sha512(self.secret, query)}"

    # -- the gateway's notices ------------------------------------------------------------------

    def verify(self, params: Mapping[str, str]) -> Notice:
        expected = hmac_sha512(self.secret, hash_data(params))
        if not hmac.compare_digest(expected, str(params.get("vnp_SecureHash", "")).lower()):
            raise BadSignature("vnp_SecureHash")
        if params.get("vnp_TmnCode") != self.tmn_code:
            raise BadSignature("vnp_TmnCode")
        code = params.get("vnp_ResponseCode", "")
        return Notice(
            txn_ref=params.get("vnp_TxnRef", ""),
            amount=_amount(params.get("vnp_Amount", "")),
            # A payment succeeded when both the answer and the transaction say so (the guide's IPN sample).
            success=code == SUCCESS and params.get("vnp_TransactionStatus") == SUCCESS,
            response_code=code,
            transaction_no=params.get("vnp_TransactionNo", ""),
            bank_code=params.get("vnp_BankCode", ""),
            pay_date=params.get("vnp_PayDate", ""),
            raw={k: v for k, v in params.items() if k.startswith("vnp_") and k not in HASH_FIELDS},
        )

    verify_return = verify
    verify_ipn = verify

    # -- refund ---------------------------------------------------------------------------------

    def refund_body(self, payment, *, requested_by: str, client_ip: str) -> dict[str, str]:
        body = {
            "vnp_RequestId": uuid.uuid4().hex,
            "vnp_Version": VERSION,
            "vnp_Command": "refund",
            "vnp_TmnCode": self.tmn_code,
            "vnp_TransactionType": FULL_REFUND,
            "vnp_TxnRef": payment.txn_ref,
            "vnp_Amount": str(int(payment.amount) * 100),
            "vnp_TransactionNo": payment.provider_txn_no,
            "vnp_TransactionDate": gmt7(payment.created_at),  # the vnp_CreateDate of the payment
            "vnp_CreateBy": requested_by[:250],
            "vnp_CreateDate": gmt7(timezone.now()),
            "vnp_IpAddr": client_ip or "127.0.0.1",
            "vnp_OrderInfo": f"Hoan tra phi le phi ho so {payment.dossier.code}",
        }
        body["vnp_SecureHash"] = hmac_sha512(self.secret, "|".join(body[k] for k in REFUND_REQUEST_FIELDS))
        return body

    def refund(self, payment, *, requested_by: str, client_ip: str) -> RefundAnswer:
        answer = self._post(self.refund_body(payment, requested_by=requested_by, client_ip=client_ip))
        signed = "|".join(str(answer.get(k, "")) for k in REFUND_ANSWER_FIELDS)
        if not hmac.compare_digest(hmac_sha512(self.secret, signed), str(answer.get("vnp_SecureHash", "")).lower()):
            raise BadSignature("refund answer")
        code = str(answer.get("vnp_ResponseCode", ""))
        return RefundAnswer(code == SUCCESS, code, str(answer.get("vnp_Message", "")), answer)

    def _post(self, body: dict) -> dict:
        call = request.Request(
            self.api_url,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with request.urlopen(call, timeout=self.timeout) as response:  # noqa: S310 - the configured gateway
                answer = json.loads(response.read())
        except (error.URLError, TimeoutError, OSError, ValueError) as exc:
            raise GatewayUnavailable(str(exc)) from exc
        if not isinstance(answer, dict):
            raise GatewayUnavailable("answer is not a JSON object")
        return answer
