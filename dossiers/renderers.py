"""JSON for the API: times always in Asia/Ho_Chi_Minh with their offset (api.md)."""

import json
from datetime import datetime

from django.utils import timezone
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder


class LocalTimeJSONEncoder(NinjaJSONEncoder):
    def default(self, o):
        if isinstance(o, datetime) and timezone.is_aware(o):
            return timezone.localtime(o).isoformat()
        return super().default(o)


class LocalTimeRenderer(JSONRenderer):
    encoder_class = LocalTimeJSONEncoder


def to_json_data(value):
    """`value` as plain JSON data, rendered exactly as the API renders it."""
    return json.loads(json.dumps(value, cls=LocalTimeJSONEncoder))
