"""The national portal's answer, byte for byte (issue 14 point 6): the dict below is the hand-built
answer of integrations/api.py as it was, rendered as the API renders (LocalTimeRenderer). The Out
schema that reads the inbound link and its dossier must give the same bytes."""

import json

import pytest

from dossiers.renderers import LocalTimeJSONEncoder
from integrations.models import InboundDossier

from .test_inbound import BODY, post

pytestmark = pytest.mark.django_db


def rendered(value) -> bytes:
    return json.dumps(value, cls=LocalTimeJSONEncoder).encode()


def national_before(portal_id: str, dossier, *, created: bool) -> dict:
    return {"MaHoSoQG": portal_id, "MaHoSo": dossier.code, "TrangThaiHoSo": dossier.status, "TrungLap": not created}


def test_does_render_the_first_delivery_and_a_redelivery_as_before(world, client, national):
    first = post(client)
    again = post(client, {**BODY, "SoBoHoSo": 2})
    dossier = InboundDossier.objects.select_related("dossier").get(portal_id=BODY["MaHoSoQG"]).dossier
    assert (first.status_code, again.status_code) == (201, 200), first.content
    assert first.content == rendered(national_before(BODY["MaHoSoQG"], dossier, created=True))
    assert again.content == rendered(national_before(BODY["MaHoSoQG"], dossier, created=False))
    assert first.content == f'{{"MaHoSoQG": "G22.99-260309-000123", "MaHoSo": "{dossier.code}", '.encode() + (
        b'"TrangThaiHoSo": 1, "TrungLap": false}'
    )
