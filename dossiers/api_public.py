"""Public (anonymous) dossier endpoints of /api/v1: status lookup, Open311 shape."""

from ninja import Router

router = Router(tags=["public"], auth=None)
