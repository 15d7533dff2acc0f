"""A citizen put straight into a test client's session (for pages that do not talk to the provider)."""

import time
from dataclasses import asdict

from citizens.identity import SESSION_KEY, Citizen, IdStatus


def citizen_logged_in(client, *, id_number: str, name: str = "Phạm Văn An", **fields) -> Citizen:
    citizen = Citizen(
        issuer=fields.pop("issuer", "http://127.0.0.1:9/o"),
        subject=fields.pop("subject", f"vneid-{id_number}"),
        name=name,
        id_number=id_number,
        id_status=IdStatus.VERIFIED if id_number else IdStatus.UNVERIFIED,
        **fields,
    )
    session = client.session
    session[SESSION_KEY] = {**asdict(citizen), "since": time.time()}
    session.save()
    return citizen
