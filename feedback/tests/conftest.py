"""Fixtures of the feedback tests: finished dossiers and petitions in the dossiers' world (root conftest plugin)."""

import pytest
import time_machine

from dossiers.services.routing import dossier_transition
from dossiers.tests.fixtures import local
from feedback.services.petitions import petition_submit


@pytest.fixture
def finish(world, receive):
    """A dossier received, processed and with its result ready (status 9)."""

    def _finish():
        with time_machine.travel(local(2026, 5, 4, 8, 0), tick=False):
            dossier = receive()
            for action, user in (("transfer", "clerk"), ("transfer", "specialist"), ("complete", "leader")):
                dossier = dossier_transition(dossier_id=dossier.pk, action=action, actor=world[user])
        return dossier

    return _finish


@pytest.fixture
def petition(world):
    """Submit a petition (routed to the world's agency unless told otherwise)."""

    def _petition(**overrides):
        kwargs = {
            "subject": "Cán bộ hướng dẫn chưa rõ",
            "content": "Tôi phải đi lại ba lần mới nộp được hồ sơ.",
            "name": "Lê Văn Cường",
            "phone": "0905111222",
            "unit_code": world["agency"].code,
            "at": local(2026, 4, 24, 16, 0),
        }
        return petition_submit(**(kwargs | overrides))

    return _petition
