"""POSTing one message to the national portal over HTTP (requests, with timeouts).

Failures come in two kinds, because they call for different things: the partner refusing
*this* message (a 4xx answer) is retried later while the other dossiers' messages go on; the
partner being *unavailable* (no connection, too slow, 5xx, 408, 429, or an answer that does
not acknowledge this message) ends the sending run, as every other message would fail too.
"""

import time

import requests
from django.conf import settings

from .contract import SIGNATURE_HEADER, TIMESTAMP_HEADER, body_bytes, signature

TIMED_OUT = "Cổng DVCQG không trả lời trong {seconds} giây"
UNREACHABLE = "Không kết nối được Cổng DVCQG: {error}"
HTTP_ERROR = "Cổng DVCQG trả lời HTTP {status}: {text}"
NOT_ACKNOWLEDGED = "Cổng DVCQG trả lời nhưng không xác nhận thông điệp này: {text}"


class PartnerError(Exception):
    """The message was not acknowledged."""


class PartnerRejected(PartnerError):
    """The partner refused this message; others may still go."""


class PartnerUnavailable(PartnerError):
    """The partner cannot take messages now; the run stops."""


def sync_post(body: dict, *, session: requests.Session) -> None:
    """Send one message; returns when the partner acknowledged it, else raises a PartnerError."""
    data = body_bytes(body)
    timeout = settings.PORTAL_NATIONAL_SYNC_TIMEOUT_SECONDS
    try:
        response = session.post(
            settings.PORTAL_NATIONAL_SYNC_URL,
            data=data,
            headers=_headers(data, message_id=body["MaThongDiep"]),
            timeout=(min(timeout, 5.0), timeout),  # (connect, read)
            allow_redirects=False,
        )
    except requests.Timeout as exc:
        raise PartnerUnavailable(TIMED_OUT.format(seconds=timeout)) from exc
    except requests.RequestException as exc:
        raise PartnerUnavailable(UNREACHABLE.format(error=type(exc).__name__)) from exc
    _acknowledged(response, body["MaThongDiep"])


def _headers(data: bytes, *, message_id: str) -> dict:
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Accept": "application/json",
        # The partner applies a message id once, however often it arrives (docs/integrations.md).
        "Idempotency-Key": message_id,
    }
    if settings.PORTAL_NATIONAL_SYNC_TOKEN:
        headers["Authorization"] = f"Bearer {settings.PORTAL_NATIONAL_SYNC_TOKEN}"
    if settings.PORTAL_NATIONAL_SYNC_HMAC_SECRET:
        timestamp = str(int(time.time()))
        headers[TIMESTAMP_HEADER] = timestamp
        headers[SIGNATURE_HEADER] = signature(
            secret=settings.PORTAL_NATIONAL_SYNC_HMAC_SECRET, timestamp=timestamp, body=data
        )
    return headers


def _acknowledged(response: requests.Response, message_id: str) -> None:
    status, text = response.status_code, response.text[:200]
    if status in (408, 429) or status >= 500:
        raise PartnerUnavailable(HTTP_ERROR.format(status=status, text=text))
    if not 200 <= status < 300:
        raise PartnerRejected(HTTP_ERROR.format(status=status, text=text))
    try:
        echoed = response.json().get("MaThongDiep")
    except (ValueError, AttributeError):
        echoed = None
    # Only an answer naming this message counts: never take another message's answer for ours.
    if echoed != message_id:
        raise PartnerUnavailable(NOT_ACKNOWLEDGED.format(text=text))
