"""Handing the result over (return_result): how, to whom, and the trace of the delivery.

Decree 61/2018 art. 20 and Decree 118/2025: the result is returned at the counter, by the public
postal service or electronically, to the applicant or to the person they authorised (whose ID is
checked); Mẫu 01 item 6 names the same three ways. What was done is kept on the dossier and in the
event: the method, the recipient (proxy or not) with their ID, the postal tracking number, the
link of the electronic result.
"""

import re
from dataclasses import asdict, dataclass

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from ..errors import InvalidInput
from ..models import Dossier, ReturnMethod

BAD_METHOD = _("Hình thức trả kết quả phải là một trong: counter, postal, online.")
RECIPIENT_REQUIRED = _("Nhập họ tên người nhận thay.")
RECIPIENT_ID_INVALID = _("Số giấy tờ của người nhận: CCCD 12 số, CMND 9 số hoặc hộ chiếu (1 chữ cái và 7 số).")
TRACKING_REQUIRED = _("Nhập số hiệu bưu gửi (4–64 chữ, số hoặc dấu gạch).")
RESULT_URL_REQUIRED = _("Nhập đường dẫn (http/https) tới kết quả điện tử.")
ID_PATTERN = re.compile(r"\d{9}|\d{12}|[A-Z]\d{7}")
TRACKING_PATTERN = re.compile(r"[A-Za-z0-9-]{4,64}")


@dataclass(frozen=True)
class Handover:
    method: str
    recipient_name: str
    recipient_id_number: str
    by_proxy: bool = False
    tracking_number: str = ""
    result_url: str = ""

    def as_data(self) -> dict:
        return asdict(self)


def handover_clean(*, dossier: Dossier, raw: dict | Handover | None) -> Handover:
    """The hand-over checked, or InvalidInput naming every bad field (`handover.<field>`).
    Nothing given: at the counter, to the applicant (what a receipt without details meant)."""
    raw = raw.as_data() if isinstance(raw, Handover) else dict(raw or {})
    method = (raw.get("method") or ReturnMethod.COUNTER).strip()
    by_proxy = bool(raw.get("by_proxy"))
    name = " ".join(str(raw.get("recipient_name") or "").split())[:200]
    id_number = re.sub(r"\s", "", str(raw.get("recipient_id_number") or "")).upper()[:20]
    if not by_proxy:  # the applicant collects in person: their details unless others were typed
        name, id_number = name or dossier.applicant_name, id_number or dossier.applicant_id_number
    handover = Handover(
        method=method,
        recipient_name=name,
        recipient_id_number=id_number,
        by_proxy=by_proxy,
        tracking_number=str(raw.get("tracking_number") or "").strip()[:64],
        result_url=str(raw.get("result_url") or "").strip()[:500],
    )
    problems = _problems(handover)
    if problems:
        raise InvalidInput(next(iter(problems.values())), fields=problems)
    return handover


def _problems(h: Handover) -> dict:
    checks = {
        "handover.method": None if h.method in ReturnMethod.values else BAD_METHOD,
        "handover.recipient_name": RECIPIENT_REQUIRED if not h.recipient_name else None,
        "handover.recipient_id_number": None if ID_PATTERN.fullmatch(h.recipient_id_number) else RECIPIENT_ID_INVALID,
        "handover.tracking_number": None,
        "handover.result_url": None,
    }
    if h.method == ReturnMethod.POSTAL and not TRACKING_PATTERN.fullmatch(h.tracking_number):
        checks["handover.tracking_number"] = TRACKING_REQUIRED
    if h.method == ReturnMethod.ONLINE and not _is_url(h.result_url):
        checks["handover.result_url"] = RESULT_URL_REQUIRED
    return {field: message for field, message in checks.items() if message}


def _is_url(value: str) -> bool:
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        return False
    return True
