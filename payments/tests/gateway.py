"""A local VNPay gateway for the tests: a real HTTP server on loopback that checks what we send
the way VNPay's integration guide (API 2.1.0) says the gateway does, "pays", calls our IPN URL
over HTTP with a signed query, sends the browser back to vnp_ReturnUrl, and answers refunds.

Written apart from `payments.providers.vnpay` (urlencode, its own field lists and checks), so a
mistake in our client shows up as a rejection here, not as the same mistake on both sides.
"""

import hmac
import json
import secrets
from datetime import datetime
from hashlib import sha512
from urllib.parse import parse_qsl, urlencode, urlsplit
from urllib.request import urlopen
from zoneinfo import ZoneInfo

from dossiers.tests.loopback import LoopbackServer, QuietHandler

GMT7 = ZoneInfo("Asia/Ho_Chi_Minh")
PAY_REQUIRED = (
    "vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_Amount", "vnp_CurrCode", "vnp_TxnRef", "vnp_OrderInfo",
    "vnp_OrderType", "vnp_Locale", "vnp_ReturnUrl", "vnp_IpAddr", "vnp_CreateDate", "vnp_ExpireDate",
)  # fmt: skip
REFUND_ORDER = (
    "vnp_RequestId", "vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_TransactionType", "vnp_TxnRef", "vnp_Amount",
    "vnp_TransactionNo", "vnp_TransactionDate", "vnp_CreateBy", "vnp_CreateDate", "vnp_IpAddr", "vnp_OrderInfo",
)  # fmt: skip
ANSWER_ORDER = (
    "vnp_ResponseId", "vnp_Command", "vnp_ResponseCode", "vnp_Message", "vnp_TmnCode", "vnp_TxnRef", "vnp_Amount",
    "vnp_BankCode", "vnp_PayDate", "vnp_TransactionNo", "vnp_TransactionType", "vnp_TransactionStatus",
    "vnp_OrderInfo",
)  # fmt: skip


def now_gmt7() -> str:
    return datetime.now(GMT7).strftime("%Y%m%d%H%M%S")


class VNPaySimulator(LoopbackServer):
    def __init__(self, *, tmn_code: str, secret: str, ipn_url: str):
        self.tmn_code, self.secret, self.ipn_url = tmn_code, secret, ipn_url
        self.outcome = "00"  # vnp_ResponseCode of the next payment ("24": the customer cancels)
        self.refund_code = "00"  # vnp_ResponseCode of the next refund
        self.sessions: dict[str, dict] = {}
        self.paid: dict[str, dict] = {}  # txn_ref -> the transaction the gateway recorded
        self.ipn_calls: list[tuple[str, dict]] = []  # (the signed query sent, the merchant's JSON answer)
        self.refunds: list[dict] = []
        self.rejections: list[str] = []
        super().__init__(self._handler())
        self.pay_url = f"{self.base}/paymentv2/vpcpay.html"
        self.api_url = f"{self.base}/merchant_webapi/api/transaction"

    # -- signatures, as the guide specifies them -------------------------------------------------

    def signature(self, fields: dict) -> str:
        signed = {k: v for k, v in fields.items() if k.startswith("vnp_") and k != "vnp_SecureHash" and v != ""}
        data = urlencode(sorted(signed.items()))
        return hmac.new(self.secret.encode(), data.encode(), sha512).hexdigest()

    def signed_query(self, fields: dict) -> str:
        return urlencode(sorted(fields.items())) + "&vnp_SecureHash=" + self.signature(fields)

    def pipe_signature(self, fields: dict, order) -> str:
        data = "|".join(str(fields.get(k, "")) for k in order)
        return hmac.new(self.secret.encode(), data.encode(), sha512).hexdigest()

    # -- the payment page ------------------------------------------------------------------------

    def check_payment(self, fields: dict) -> str | None:
        """Why the gateway refuses this payment request, or None."""
        missing = [k for k in PAY_REQUIRED if not fields.get(k)]
        if missing:
            return f"thiếu {', '.join(missing)}"
        if not hmac.compare_digest(self.signature(fields), fields.get("vnp_SecureHash", "")):
            return "sai chữ ký (97)"
        expected = {"vnp_Version": "2.1.0", "vnp_Command": "pay", "vnp_CurrCode": "VND", "vnp_TmnCode": self.tmn_code}
        wrong = [k for k, v in expected.items() if fields[k] != v]
        if wrong:
            return f"sai {', '.join(wrong)}"
        if not fields["vnp_Amount"].isdigit() or int(fields["vnp_Amount"]) % 100:
            return "số tiền không hợp lệ"
        if fields["vnp_ExpireDate"] < now_gmt7():
            return "giao dịch đã hết hạn"
        return None

    def confirm(self, session: str) -> str:
        """The customer confirms on the gateway's page: record, call the merchant's IPN, and
        return where the browser goes next."""
        request = self.sessions.pop(session)
        success = self.outcome == "00"
        result = {
            "vnp_Amount": request["vnp_Amount"],
            "vnp_BankCode": "NCB",
            "vnp_BankTranNo": f"VNP{secrets.randbelow(10**8):08d}",
            "vnp_CardType": "ATM",
            "vnp_OrderInfo": request["vnp_OrderInfo"],
            "vnp_PayDate": now_gmt7(),
            "vnp_ResponseCode": self.outcome,
            "vnp_TmnCode": self.tmn_code,
            "vnp_TransactionNo": f"{secrets.randbelow(10**8):08d}",
            "vnp_TransactionStatus": "00" if success else "02",
            "vnp_TxnRef": request["vnp_TxnRef"],
        }
        if success:
            self.paid[request["vnp_TxnRef"]] = result | {"vnp_CreateDate": request["vnp_CreateDate"]}
        self.call_ipn(self.signed_query(result))
        return f"{request['vnp_ReturnUrl']}?{self.signed_query(result)}"

    def call_ipn(self, query: str) -> dict:
        with urlopen(f"{self.ipn_url}?{query}", timeout=10) as response:  # noqa: S310 - our live server
            answer = json.loads(response.read())
        self.ipn_calls.append((query, answer))
        return answer

    # -- the refund API --------------------------------------------------------------------------

    def refund(self, body: dict) -> dict:
        self.refunds.append(body)
        code, message = self._refund_check(body)
        paid = self.paid.get(body.get("vnp_TxnRef"), {})
        answer = {
            "vnp_ResponseId": secrets.token_hex(16),
            "vnp_Command": "refund",
            "vnp_ResponseCode": code,
            "vnp_Message": message,
            "vnp_TmnCode": self.tmn_code,
            "vnp_TxnRef": body.get("vnp_TxnRef", ""),
            "vnp_Amount": body.get("vnp_Amount", ""),
            "vnp_BankCode": paid.get("vnp_BankCode", ""),
            "vnp_PayDate": now_gmt7(),
            "vnp_TransactionNo": paid.get("vnp_TransactionNo", ""),
            "vnp_TransactionType": body.get("vnp_TransactionType", ""),
            "vnp_TransactionStatus": "05" if code == "00" else "",
            "vnp_OrderInfo": body.get("vnp_OrderInfo", ""),
        }
        answer["vnp_SecureHash"] = self.pipe_signature(answer, ANSWER_ORDER)
        return answer

    def _refund_check(self, body: dict) -> tuple[str, str]:
        if not hmac.compare_digest(self.pipe_signature(body, REFUND_ORDER), str(body.get("vnp_SecureHash", ""))):
            return "97", "Invalid Checksum"
        paid = self.paid.get(body.get("vnp_TxnRef"))
        if paid is None:
            return "91", "Transaction not found"
        if body.get("vnp_TransactionDate") != paid["vnp_CreateDate"] or body.get("vnp_TransactionType") != "02":
            return "03", "Invalid request"
        if int(body.get("vnp_Amount", "0")) > int(paid["vnp_Amount"]):
            return "04", "Invalid amount"
        if paid.get("refunded"):
            return "94", "Duplicate request"
        if self.refund_code == "00":
            paid["refunded"] = True
        return self.refund_code, "Refund success" if self.refund_code == "00" else "Refund refused"

    # -- HTTP ------------------------------------------------------------------------------------

    def get(self, path: str) -> tuple[int, str, bytes, str]:
        """(status, content type, body, Location) of a GET: the payment page."""
        url = urlsplit(path)
        if url.path != "/paymentv2/vpcpay.html":
            return 404, "text/plain", b"not found", ""
        fields = dict(parse_qsl(url.query, keep_blank_values=True))
        problem = self.check_payment(fields)
        if problem:
            self.rejections.append(problem)
            return 400, "text/html; charset=utf-8", f"<h1>Lỗi: {problem}</h1>".encode(), ""
        session = secrets.token_hex(8)
        self.sessions[session] = fields
        page = (
            "<!doctype html><html lang='vi'><meta charset='utf-8'><title>VNPay (thử nghiệm)</title>"
            f"<p id='amount'>{int(fields['vnp_Amount']) // 100} VND</p><form method='post' action='/paymentv2/confirm'>"
            f"<input type='hidden' name='session' value='{session}'>"
            "<button type='submit'>Xác nhận thanh toán</button></form></html>"
        )
        return 200, "text/html; charset=utf-8", page.encode(), ""

    def post(self, path: str, body: bytes) -> tuple[int, str, bytes, str]:
        """(status, content type, body, Location) of a POST: the confirmation, the refund API."""
        if path == "/paymentv2/confirm":
            session = dict(parse_qsl(body.decode())).get("session", "")
            if session not in self.sessions:
                return 400, "text/plain", b"unknown session", ""
            return 302, "text/plain", b"", self.confirm(session)
        if path == "/merchant_webapi/api/transaction":
            return 200, "application/json", json.dumps(self.refund(json.loads(body))).encode(), ""
        return 404, "text/plain", b"not found", ""

    def _handler(self):
        gateway = self

        class Handler(QuietHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                self._send(*gateway.get(self.path))

            def do_POST(self):  # noqa: N802
                self._send(*gateway.post(self.path, self.rfile.read(int(self.headers.get("Content-Length") or 0))))

            def _send(self, status: int, content_type: str, body: bytes, location: str):
                self.send_body(status, content_type, body, {"Location": location} if location else None)

        return Handler
