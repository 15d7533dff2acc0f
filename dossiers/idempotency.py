"""Idempotency-Key handling for POSTs that create things (shared/docs/api.md).

The key row is inserted first, in the caller's transaction: a concurrent request
with the same key blocks on the unique index until the first commits, then
replays its answer. Same key with another body is a 422.
"""

import hashlib
import json
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from .errors import Conflict, InvalidInput
from .models import IdempotencyRecord

KEY_REUSED = _("Idempotency-Key đã được dùng cho một yêu cầu khác.")
KEY_TOO_LONG = _("Idempotency-Key dài tối đa 200 ký tự.")
IN_PROGRESS = _("Yêu cầu với Idempotency-Key này đang được xử lý.")


def body_hash(body: dict) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def idempotent_call(*, user, key: str | None, body: dict, create: Callable[[], tuple[int, dict]]) -> tuple[int, dict]:
    """Run `create` once per (user, key); later calls get the first (status, body) back.

    `create` must be atomic itself: without a key it is simply called (a receipt is one
    statement on PostgreSQL, with no transaction around it)."""
    if not key:
        return create()
    if len(key) > 200:
        raise InvalidInput(KEY_TOO_LONG, fields={"Idempotency-Key": KEY_TOO_LONG})
    digest = body_hash(body)
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(user=user, key=key, request_hash=digest)
            status, response = create()
            record.status_code, record.response = status, response
            record.save(update_fields=["status_code", "response"])
            return status, response
    except IntegrityError:
        existing = IdempotencyRecord.objects.filter(user=user, key=key).first()
        if existing is None:
            raise
        record = existing
    if record.request_hash != digest:
        raise InvalidInput(KEY_REUSED, fields={"Idempotency-Key": KEY_REUSED}, code="idempotency_key_reused")
    if not record.status_code:
        raise Conflict(IN_PROGRESS)
    return record.status_code, record.response
