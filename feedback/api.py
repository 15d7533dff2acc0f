"""The feedback router of /api/v1: ratings and petitions."""

from ninja import Router

router = Router(tags=["feedback"])
