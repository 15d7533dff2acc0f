"""The "đồng bộ hồ sơ" exchange with the national portal, as this portal speaks it.

The portal's API is not public; this contract is modelled on the provincial systems' exchange
(field names as theirs: MaHoSo, MaTTHC, TrangThaiHoSo 1–10, KenhThucHien 1–3, dates as
yyyyMMddHHmmss in Vietnam's time). It is written down in docs/integrations.md; change both.
"""

import hashlib
import hmac
import json
from datetime import datetime

from dossiers.calendar import LOCAL_TZ
from dossiers.models import Channel

# KenhThucHien: 1 at the counter, 2 online, 3 by public postal service.
CHANNEL_CODES = {Channel.COUNTER: 1, Channel.ONLINE: 2, Channel.POSTAL: 3}
STAMP_FORMAT = "%Y%m%d%H%M%S"
SIGNATURE_HEADER = "X-MotCua-Signature"
TIMESTAMP_HEADER = "X-MotCua-Timestamp"


def stamp(instant: datetime | None) -> str | None:
    """`yyyyMMddHHmmss` in Vietnam's time, as the portal's API writes dates."""
    return instant.astimezone(LOCAL_TZ).strftime(STAMP_FORMAT) if instant else None


def parse_stamp(text: str) -> datetime:
    """The inverse of `stamp`; ValueError when it is not one."""
    if len(text) != 14 or not text.isdigit():
        raise ValueError(text)
    return datetime.strptime(text, STAMP_FORMAT).replace(tzinfo=LOCAL_TZ)


def dossier_snapshot(*, dossier, event) -> dict:
    """The dossier as the change leaves it (the message's `HoSo`, but for MaHoSo and MaHoSoQG,
    added when it is sent: a new dossier has no code yet when its message is written).

    The whole state, not the difference: the portal can apply any message to a dossier it has
    not heard of (sync turned on after it was received)."""
    return {
        "MaTTHC": dossier.procedure.national_code,
        "TenTTHC": dossier.procedure.name,
        "KenhThucHien": CHANNEL_CODES[dossier.channel],
        "ChuHoSo": dossier.applicant_name,
        "SoDinhDanh": dossier.applicant_id_number,
        "TrangThaiHoSo": int(dossier.status),
        "NgayNopHoSo": stamp(dossier.submitted_at),
        "NgayTiepNhan": stamp(dossier.received_at),
        "NgayHenTra": stamp(dossier.due_at),
        "NgayKetThucXuLy": stamp(dossier.finished_at),
        "NgayTraKetQua": stamp(dossier.returned_at),
        "DonViTiepNhan": dossier.receiving_unit.code,
        "DonViXuLy": dossier.current_unit.code,
        "ThaoTac": event.action,
        "ThoiDiemThayDoi": stamp(event.effective_at),
    }


def message_body(message) -> dict:
    """What is POSTed for one SyncMessage (its dossier and inbound link loaded)."""
    dossier = message.dossier
    inbound = getattr(dossier, "national_inbound", None)
    return {
        "MaThongDiep": str(message.message_id),
        "SoThuTu": message.sequence,
        "HoSo": {
            "MaHoSo": dossier.code,
            "MaHoSoQG": inbound.portal_id if inbound else None,
            **message.payload,
        },
    }


def body_bytes(body: dict) -> bytes:
    """The exact bytes sent (and signed)."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def signature(*, secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=<hex>` of HMAC-SHA256 over `<timestamp>.<body>` (the timestamp bounds replays)."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"
