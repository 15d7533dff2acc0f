"""The access matrix: every role × own/child/sibling/parent unit × every surface (issue 12).

One world is built for the module: four centres in a tree around the users' unit —

    parent ── own ── child
          └── sibling

— each with a dossier in processing (with a scan, a drafted apology and a petition about
the unit) and a finished one (rated). Every user of ROLES belongs to `own`. A surface is
one row of READS or WRITES: how to reach it for one unit's dossier, and which relations
each role reaches (RULE tables). A new page, export or endpoint is one more row.
"""

import functools
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from citizens.tests.sessions import citizen_logged_in
from dossiers.models import Apology, Attachment, Dossier, Status
from dossiers.roles import roles_sync
from dossiers.services.apologies import apology_draft
from dossiers.services.applicants import applicant_clean
from dossiers.services.attachments import attachment_add
from dossiers.services.calendar_days import calendar_seed_holidays
from dossiers.services.intake import dossier_receive
from dossiers.services.routing import dossier_transition
from dossiers.services.tokens import api_token_create
from dossiers.tests.factories import CentreFactory, ProcedureFactory, RoutingStepFactory, UserFactory
from feedback.models import Petition, Rating
from feedback.services.petitions import petition_submit
from feedback.services.ratings import rating_submit
from integrations.models import InboundDossier, SyncMessage, SyncStatus

RELATIONS = ("own", "child", "sibling", "parent")
ALL = frozenset(RELATIONS)
OFFICERS = ("counter_clerk", "specialist", "unit_leader")
# "citizen": a session logged in with the electronic identity whose verified ID number is the
# applicant's of the own unit's finished dossier (citizens/); never a user, so no staff surface.
ROLES = (*OFFICERS, "supervisor", "admin", "no_role", "superuser", "anonymous", "citizen")
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"

# Which relations each role reaches; a role not named reaches none.
DOSSIER_RULE = {**{r: {"own"} for r in OFFICERS}, "supervisor": {"own", "child"}, "superuser": ALL}
ADMIN_SITE_RULE = {"supervisor": {"own", "child"}, "superuser": ALL}  # officers have no admin access
KIOSK_RULE = {"counter_clerk": {"own"}, "superuser": ALL}
PETITION_RULE = {"specialist": {"own"}, "unit_leader": {"own"}, "supervisor": {"own", "child"}, "superuser": ALL}
KPI_RULE = {"supervisor": {"own", "child"}, "superuser": ALL}
ACT_RULE = {**{r: {"own"} for r in OFFICERS}, "superuser": ALL}
SIGN_RULE = {"unit_leader": {"own"}, "superuser": ALL}  # the API's apology is drafted and signed at once
PETITION_ACT_RULE = {"specialist": {"own"}, "unit_leader": {"own"}, "superuser": ALL}
SUPERVISOR_RULE = {"supervisor": {"own", "child"}, "superuser": ALL}  # supervisor-only pages
NOBODY_RULE: dict = {}  # partner endpoints: no user's session or token reaches them
REFUND_RULE = {"unit_leader": {"own"}, "superuser": ALL}  # a leader of the unit that received the fee
RECEIVE_RULE = {"counter_clerk": {"own"}, "superuser": ALL}  # a counter clerk receives at their own centre only
CITIZEN_RULE = {"citizen": {"own"}}  # the citizen's own dossier: by their verified ID number, nobody else


# -- the world ---------------------------------------------------------------------------------


def _unit_tree() -> dict:
    parent = CentreFactory(code="000.00.01.H56", name="Trung tâm PVHCC tỉnh")
    own = CentreFactory(code="20001.H56", name="Trung tâm PVHCC phường Một", parent=parent, level="commune")
    return {
        "parent": parent,
        "own": own,
        "sibling": CentreFactory(code="20002.H56", name="Trung tâm PVHCC phường Hai", parent=parent, level="commune"),
        "child": CentreFactory(code="20001.01.H56", name="Điểm tiếp nhận phường Một", parent=own, level="commune"),
    }


def _procedure(unit, n: int):
    procedure = ProcedureFactory(
        national_code=f"8.00000{n}", lead_agency=unit, legal_processing_time=Decimal(3), time_unit="working_days"
    )
    steps = (("Tiếp nhận", "counter_clerk", 2), ("Thẩm định", "specialist", 16), ("Ký", "unit_leader", 4))
    for position, (name, role, hours) in enumerate(steps, start=1):
        RoutingStepFactory(procedure=procedure, position=position, name=name, role=role, budget_hours=hours, unit=unit)
    RoutingStepFactory(procedure=procedure, position=4, name="Trả kết quả", role="counter_clerk", budget_hours=2)
    return procedure


def _receive(unit, procedure, relation: str, n: int, *, clerk, root, received_at):
    applicant = applicant_clean(
        name=f"Người Nộp {relation.title()} {n}",
        id_number=f"05619000{n:04d}",
        phone="0905123456",
        address="1 Trần Phú",
    )
    d = dossier_receive(
        procedure=procedure, receiving_unit=unit, applicant=applicant, actor=clerk, received_at=received_at
    )
    dossier_transition(dossier_id=d.pk, action="transfer", actor=root)  # to the specialist's step
    return Dossier.objects.get(pk=d.pk)


def _finished(unit, procedure, relation: str, n: int, *, clerk, root):
    d = _receive(unit, procedure, relation, n, clerk=clerk, root=root, received_at=timezone.now() - timedelta(days=9))
    dossier_transition(dossier_id=d.pk, action="transfer", actor=root)  # to the leader's step
    dossier_transition(dossier_id=d.pk, action="complete", actor=root)
    return Dossier.objects.get(pk=d.pk)


def _build() -> dict:
    calendar_seed_holidays(years=range(2025, 2029))
    roles_sync()  # the roles' permissions (the admin site's view_dossier for supervisors)
    units = _unit_tree()
    root = UserFactory(username="matrix_root", is_superuser=True, is_staff=True)
    users = {
        role: UserFactory(
            username=f"matrix_{role}",
            roles=[] if role == "no_role" else [role],
            units=[units["own"]],
            is_staff=role in ("supervisor", "admin"),
        )
        for role in ROLES
        if role not in ("superuser", "anonymous")
    }
    users["superuser"] = root
    tokens = {role: api_token_create(user=user)[1] for role, user in users.items()}
    long_ago = timezone.now() - timedelta(days=30)
    rows = {}
    for n, relation in enumerate(RELATIONS, start=1):
        unit = units[relation]
        clerk = UserFactory(username=f"clerk_{relation}", roles=["counter_clerk"], units=[unit])
        procedure = _procedure(unit, n)
        d = _receive(unit, procedure, relation, n, clerk=clerk, root=root, received_at=long_ago)
        done, rated = (_finished(unit, procedure, relation, n + k, clerk=clerk, root=root) for k in (10, 20))
        scan = SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf")
        attachment = attachment_add(dossier=d, kind=Attachment.Kind.SCAN, uploaded_file=scan, actor=root)
        new_due = timezone.now() + timedelta(days=10)
        apology = apology_draft(dossier_id=d.pk, actor=root, reason="Chờ xác minh", new_due_at=new_due)
        rating = rating_submit(dossier=rated, satisfied=True, source="kiosk", actor=root)
        petition = petition_submit(
            subject=f"Phản ánh {relation}",
            content="Nội dung",
            name=f"Người Phản Ánh {relation.title()}",
            unit_code=unit.code,
            about="unit",
        )
        sync = SyncMessage.objects.create(  # a message the national portal never took
            dossier=d, sequence=1, action="receive", changed_at=long_ago, payload={"TrangThaiHoSo": 4}
        )
        SyncMessage.objects.filter(pk=sync.pk).update(status=SyncStatus.DEAD, attempts=10, last_error="HTTP 500")
        rows[relation] = {
            "unit": unit,
            "sync": sync,
            "dossier": Dossier.objects.get(pk=d.pk),
            "done": done,
            "rated": rated,
            "attachment": attachment,
            "apology": apology,
            "rating": rating,
            "petition": petition,
        }
    return {"units": units, "users": users, "tokens": tokens, "rows": rows}


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module inside a transaction rolled back at its end; each test runs in
    a savepoint of it, so writes of one test are gone in the next."""
    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"))
    with django_db_blocker.unblock(), transaction.atomic(), media:
        world = _build()
        yield world
        transaction.set_rollback(True)


# -- surfaces ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Surface:
    name: str
    get: object  # (client, row, bearer) -> response
    rule: dict
    seen: object = None  # (response, row) -> bool; default: the row's marker is in the body

    def reached(self, response, row) -> bool:
        if self.seen is not None:
            return self.seen(response, row)
        return response.status_code == 200 and row_marker(row) in response.content.decode(errors="replace")


def row_marker(row) -> str:
    return row["dossier"].applicant_id_number


def petition_marker(response, row) -> bool:
    return response.status_code == 200 and row["petition"].code in response.content.decode()


def name_listed(response, row) -> bool:
    """For pages that echo the query: the row's applicant, not its code, proves it was listed."""
    return response.status_code == 200 and row["dossier"].applicant_name in response.content.decode()


def ok(response, row) -> bool:
    return response.status_code == 200


def code_listed(key: str):
    def seen(response, row) -> bool:
        return response.status_code == 200 and row[key].code in response.content.decode()

    return seen


def _local_day(instant) -> str:
    return timezone.localtime(instant).strftime("%d/%m/%Y")


READS = (
    Surface(
        "api list",
        lambda c, r, b: c.get(f"/api/v1/dossiers?q={r['dossier'].code}", **b),
        DOSSIER_RULE,
        code_listed("dossier"),
    ),
    Surface("api detail", lambda c, r, b: c.get(f"/api/v1/dossiers/{r['dossier'].code}", **b), DOSSIER_RULE),
    Surface(
        "api attachments",
        lambda c, r, b: c.get(f"/api/v1/dossiers/{r['dossier'].code}/attachments", **b),
        DOSSIER_RULE,
        lambda resp, r: resp.status_code == 200 and "scan.pdf" in resp.content.decode(),
    ),
    Surface("staff search", lambda c, r, b: c.get(f"/can-bo/?q={r['dossier'].code}"), DOSSIER_RULE, name_listed),
    Surface("staff dossier page", lambda c, r, b: c.get(f"/can-bo/ho-so/{r['dossier'].code}/"), DOSSIER_RULE),
    Surface("print receipt", lambda c, r, b: c.get(f"/can-bo/in/{r['dossier'].code}/tiep-nhan/"), DOSSIER_RULE),
    Surface(
        "print control slip",
        lambda c, r, b: c.get(f"/can-bo/in/{r['dossier'].code}/kiem-soat/"),
        DOSSIER_RULE,
        lambda resp, r: resp.status_code == 200 and r["dossier"].applicant_name in resp.content.decode(),
    ),
    Surface(
        "attachment file",
        lambda c, r, b: _download(c, r),
        DOSSIER_RULE,
        lambda resp, r: resp.status_code == 200 and b"".join(resp.streaming_content) == PDF,
    ),
    Surface(
        "register page",
        lambda c, r, b: c.get(f"/can-bo/so-theo-doi/?date_from={_local_day(r['dossier'].received_at)}"),
        DOSSIER_RULE,
        code_listed("dossier"),
    ),
    Surface(
        "register xlsx",
        lambda c, r, b: c.get("/can-bo/so-theo-doi/?format=xlsx"),
        DOSSIER_RULE,
        lambda resp, r: resp.status_code == 200 and r["dossier"].code in _xlsx_text(resp),
    ),
    Surface("supervision list", lambda c, r, b: c.get("/can-bo/giam-sat/"), DOSSIER_RULE, code_listed("dossier")),
    Surface(
        "supervision csv",
        lambda c, r, b: c.get("/can-bo/giam-sat/?format=csv"),
        DOSSIER_RULE,
        lambda resp, r: resp.status_code == 200 and r["dossier"].code in _streamed(resp),
    ),
    Surface(
        "apology page",
        lambda c, r, b: c.get(f"/can-bo/xin-loi/{r['apology'].pk}/"),
        DOSSIER_RULE,
        code_listed("dossier"),
    ),
    Surface(
        "apology print",
        lambda c, r, b: c.get(f"/can-bo/in/xin-loi/{r['apology'].pk}/"),
        DOSSIER_RULE,
        lambda resp, r: resp.status_code == 200 and r["dossier"].applicant_name in resp.content.decode(),
    ),
    Surface("apologies to sign", lambda c, r, b: c.get("/can-bo/xin-loi/"), DOSSIER_RULE, code_listed("dossier")),
    Surface("kiosk page", lambda c, r, b: c.get(f"/kiosk/danh-gia/{r['done'].code}/"), KIOSK_RULE, code_listed("done")),
    Surface(
        "kiosk start",
        lambda c, r, b: c.get(f"/kiosk/danh-gia/?code={r['done'].code}"),
        KIOSK_RULE,
        lambda resp, r: resp.status_code == 302 and resp["Location"] == f"/kiosk/danh-gia/{r['done'].code}/",
    ),
    Surface("staff petitions", lambda c, r, b: c.get("/can-bo/phan-anh/"), PETITION_RULE, petition_marker),
    Surface(
        "staff petition page",
        lambda c, r, b: c.get(f"/can-bo/phan-anh/{r['petition'].code}/"),
        PETITION_RULE,
        petition_marker,
    ),
    Surface("api petitions", lambda c, r, b: c.get("/api/v1/petitions", **b), PETITION_RULE, petition_marker),
    Surface(
        "api petition",
        lambda c, r, b: c.get(f"/api/v1/petitions/{r['petition'].code}", **b),
        PETITION_RULE,
        petition_marker,
    ),
    Surface(
        "admin dossiers", lambda c, r, b: c.get("/admin/dossiers/dossier/"), ADMIN_SITE_RULE, code_listed("dossier")
    ),
    Surface("admin ratings", lambda c, r, b: c.get("/admin/feedback/rating/"), ADMIN_SITE_RULE, code_listed("rated")),
    Surface("admin petitions", lambda c, r, b: c.get("/admin/feedback/petition/"), ADMIN_SITE_RULE, petition_marker),
    Surface("national sync page", lambda c, r, b: c.get("/can-bo/dong-bo/"), SUPERVISOR_RULE, code_listed("dossier")),
    Surface("api kpis", lambda c, r, b: c.get(f"/api/v1/kpis?unit={r['unit'].code}", **b), KPI_RULE, ok),
    Surface("citizen dossiers", lambda c, r, b: c.get("/cong-dan/ho-so/"), CITIZEN_RULE, code_listed("done")),
    Surface(
        "citizen dossier page",
        lambda c, r, b: c.get(f"/cong-dan/ho-so/{r['done'].code}/"),
        CITIZEN_RULE,
        code_listed("done"),
    ),
    Surface(
        "citizen rating page", lambda c, r, b: c.get(f"/danh-gia/{r['done'].code}/"), CITIZEN_RULE, code_listed("done")
    ),
    Surface("kpi dashboard", lambda c, r, b: c.get(f"/giam-sat/chi-so/?unit={r['unit'].code}"), KPI_RULE, ok),
    Surface(
        "staff payments page",
        lambda c, r, b: c.get(f"/can-bo/thanh-toan/{r['dossier'].code}/"),
        DOSSIER_RULE,
        code_listed("dossier"),
    ),
    Surface(
        "signed receipt pdf",
        lambda c, r, b: _signing_on(c, r, f"/can-bo/ky-so/{r['dossier'].code}/giay-tiep-nhan.pdf"),
        DOSSIER_RULE,
        lambda resp, r: resp.status_code == 200 and b"".join(resp.streaming_content).startswith(b"%PDF-"),
    ),
    # The world's apologies are drafts and its dossiers are not done: reaching them is the 409 that
    # says why there is no signed PDF yet; a dossier out of reach is a 404.
    Surface(
        "signed apology pdf",
        lambda c, r, b: _signing_on(c, r, f"/can-bo/ky-so/xin-loi/{r['apology'].pk}.pdf"),
        DOSSIER_RULE,
        lambda resp, r: resp.status_code == 409 and "chưa được lãnh đạo ký duyệt" in resp.content.decode(),
    ),
    Surface(
        "signed result pdf",
        lambda c, r, b: _signing_on(c, r, f"/can-bo/ky-so/{r['dossier'].code}/ket-qua.pdf"),
        DOSSIER_RULE,
        lambda resp, r: resp.status_code == 409 and "chưa có kết quả điện tử" in resp.content.decode(),
    ),
)


@functools.cache
def _signing_dir() -> str:
    import tempfile

    return tempfile.mkdtemp(prefix="motcua-matrix-signing-")


def _signing_on(client, row, url):
    """GET `url` with signing on and a certificate of the test CA for the row's unit (edocs)."""
    import os
    from unittest import mock

    from edocs.certificates import unit_certificate_register
    from edocs.models import UnitCertificate
    from edocs.tests.pki import PASSPHRASE, root_ca

    env = {"PORTAL_SIGNING_PASSPHRASE": PASSPHRASE}
    store = override_settings(PORTAL_SIGNING_ENABLED=True, PORTAL_SIGNING_DIR=_signing_dir())
    with store, mock.patch.dict(os.environ, env):
        if not UnitCertificate.objects.filter(unit=row["unit"]).exists():
            pkcs12 = root_ca().pkcs12(row["unit"].name)
            unit_certificate_register(unit=row["unit"], pkcs12=pkcs12, passphrase_env="PORTAL_SIGNING_PASSPHRASE")
        return client.get(url)


def _download(client, row):
    attachment = row["attachment"]
    default_storage.save(attachment.file.name, ContentFile(PDF))  # each test has its own MEDIA_ROOT
    return client.get(f"/can-bo/tep/{attachment.pk}/")


def _streamed(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8-sig", errors="replace")


def _xlsx_text(response) -> str:
    from io import BytesIO

    from openpyxl import load_workbook

    content = b"".join(response.streaming_content) if response.streaming else response.content
    book = load_workbook(BytesIO(content), read_only=True)
    return " ".join(str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row)


@pytest.fixture(autouse=True)
def _citizen_login_configured(settings):
    settings.PORTAL_OIDC_ISSUER, settings.PORTAL_OIDC_CLIENT_ID = "http://127.0.0.1:9/o", "matrix"


def _login(client, matrix, role: str) -> dict:
    """Log the role in (session for pages, bearer token for the API); anonymous: neither."""
    if role == "anonymous":
        return {}
    if role == "citizen":
        citizen_logged_in(client, id_number=matrix["rows"]["own"]["done"].applicant_id_number)
        return {}
    client.force_login(matrix["users"][role])
    return {"HTTP_AUTHORIZATION": f"Bearer {matrix['tokens'][role]}"}


def _expected(rule: dict, role: str) -> set[str]:
    return set(rule.get(role, ()))


@pytest.mark.parametrize("surface", READS, ids=lambda s: s.name)
@pytest.mark.parametrize("role", ROLES)
def test_does_show_a_dossier_only_where_the_access_rule_allows(matrix, db, client, role, surface):
    bearer = _login(client, matrix, role)
    reached = set()
    for relation in RELATIONS:
        row = matrix["rows"][relation]
        response = surface.get(client, row, bearer)
        assert response.status_code < 500, (relation, response.status_code)
        if surface.reached(response, row):
            reached.add(relation)
    assert reached == _expected(surface.rule, role)


# -- writes ------------------------------------------------------------------------------------


def _api_act(c, r, b):
    body = {"action": "request_payment", "reason": "Lệ phí"}
    return c.post(f"/api/v1/dossiers/{r['dossier'].code}/actions", body, content_type="application/json", **b)


def _page_act(c, r, b):
    data = {"action": "request_payment", "reason": "Lệ phí", "confirmed": "on"}
    return c.post(f"/can-bo/ho-so/{r['dossier'].code}/xu-ly/", data)


def _api_apology(c, r, b):
    new_due = (timezone.now() + timedelta(days=12)).isoformat()
    body = {"reason": "Chờ ý kiến cơ quan phối hợp", "new_due_at": new_due}
    return c.post(f"/api/v1/dossiers/{r['dossier'].code}/apologies", body, content_type="application/json", **b)


def _api_attach(c, r, b):
    upload = SimpleUploadedFile("to-khai.pdf", PDF, content_type="application/pdf")
    return c.post(f"/api/v1/dossiers/{r['dossier'].code}/attachments", {"kind": "scan", "file": upload}, **b)


def _kiosk_rate(c, r, b):
    return c.post(f"/kiosk/danh-gia/{r['done'].code}/", {"satisfied": "yes"})


def _refund(c, r, b):
    from payments.models import Payment

    payment, _ = Payment.objects.get_or_create(
        dossier=r["dossier"],
        txn_ref=f"MATRIX{r['dossier'].pk}",
        defaults={"provider": "vnpay", "amount": 50000, "status": "paid", "paid_at": timezone.now()},
    )
    body = {"txn_ref": payment.txn_ref, "reason": "Hồ sơ bị từ chối"}
    return c.post(f"/can-bo/thanh-toan/{r['dossier'].code}/hoan-tien/", body)


def _refund_requested(row) -> bool:
    from payments.models import Payment

    return Payment.objects.filter(dossier=row["dossier"], status="refund_requested").exists()


def _citizen_rate(c, r, b):
    return c.post(f"/danh-gia/{r['done'].code}/", {"satisfied": "yes"})


def _page_attach(c, r, b):
    upload = SimpleUploadedFile("to-khai.pdf", PDF, content_type="application/pdf")
    return c.post(f"/can-bo/ho-so/{r['dossier'].code}/tep/", {"kind": "scan", "file": upload})


def _page_apology_draft(c, r, b):
    new_due = timezone.localtime(timezone.now() + timedelta(days=12)).strftime("%d/%m/%Y %H:%M")
    return c.post(
        f"/can-bo/ho-so/{r['dossier'].code}/xin-loi/", {"reason": "Chờ ý kiến phối hợp", "new_due_at": new_due}
    )


def _page_apology_edit(c, r, b):
    new_due = timezone.localtime(timezone.now() + timedelta(days=12)).strftime("%d/%m/%Y %H:%M")
    return c.post(f"/can-bo/xin-loi/{r['apology'].pk}/sua/", {"reason": "Lý do đã sửa", "new_due_at": new_due})


def _page_apology_sign(c, r, b):
    return c.post(f"/can-bo/xin-loi/{r['apology'].pk}/", {"op": "sign", "confirmed": "on"})


def _page_petition_act(c, r, b):
    return c.post(f"/can-bo/phan-anh/{r['petition'].code}/xu-ly/", {"action": "answer", "text": "Đã trả lời."})


RECEIVED_ID = "056190008888"


def _api_receive(c, r, b):
    """A receipt at the row's centre, for its own procedure (the API names the receiving unit)."""
    body = {
        "procedure_code": r["dossier"].procedure.national_code,
        "channel": "counter",
        "receiving_unit_code": r["unit"].code,
        "applicant": {"name": "Người Nộp Tại Quầy", "id_number": RECEIVED_ID, "phone": "0905123456"},
    }
    return c.post("/api/v1/dossiers", body, content_type="application/json", **b)


def _api_petition_act(c, r, b):
    body = {"action": "answer", "text": "Đã xem xét và trả lời."}
    return c.post(f"/api/v1/petitions/{r['petition'].code}/actions", body, content_type="application/json", **b)


def _api_claim(c, r, b):
    return c.post(f"/api/v1/dossiers/{r['dossier'].code}/assign", {}, content_type="application/json", **b)


def _page_claim(c, r, b):
    uid = c.session.get("_auth_user_id")
    username = get_user_model().objects.get(pk=uid).get_username() if uid else "matrix_anonymous"
    return c.post(f"/can-bo/ho-so/{r['dossier'].code}/phan-cong/", {"assignee": username})


def _sync_resend(c, r, b):
    return c.post(f"/can-bo/dong-bo/{r['sync'].message_id}/gui-lai/")


def _national_inbound(c, r, b):
    body = {
        "MaHoSoQG": f"QG-{r['unit'].code}",
        "MaTTHC": r["dossier"].procedure.national_code,
        "DonViTiepNhan": r["unit"].code,
        "ChuHoSo": {"HoTen": "Người Nộp Trực Tuyến", "SoDinhDanh": "056190007777", "SoDienThoai": "0905123456"},
    }
    with override_settings(PORTAL_NATIONAL_INBOUND_TOKEN="the-portals-own-token"):
        return c.post("/api/v1/integrations/national/dossiers", body, content_type="application/json", **b)


@dataclass(frozen=True)
class Write:
    name: str
    post: object  # (client, row, bearer) -> response
    rule: dict
    done: object  # row -> bool: the change happened
    refused: object = None  # response -> bool; default: a redirect, 401, 403 or 404

    def refusal(self, response) -> bool:
        if self.refused is not None:
            return self.refused(response)
        return response.status_code in (302, 401, 403, 404)


def forbidden_input(response) -> bool:
    """The receipt's refusal: 422 with code "forbidden" naming receiving_unit_code (services.intake
    NOT_CLERK), not a 403; anonymous gets the API's 401."""
    if response.status_code == 401:
        return True
    body = response.json() if response.status_code == 422 else {}
    return body.get("code") == "forbidden" and set(body.get("fields", {})) == {"receiving_unit_code"}


WRITES = (
    Write("api claim", _api_claim, ACT_RULE, lambda r: _assignee(r["dossier"]) is not None),
    Write("staff claim", _page_claim, ACT_RULE, lambda r: _assignee(r["dossier"]) is not None),
    Write("api action", _api_act, ACT_RULE, lambda r: _status(r["dossier"]) == Status.PAYMENT),
    Write("staff action", _page_act, ACT_RULE, lambda r: _status(r["dossier"]) == Status.PAYMENT),
    Write("api apology", _api_apology, SIGN_RULE, lambda r: Apology.objects.filter(dossier=r["dossier"]).count() == 2),
    Write("api attachment", _api_attach, ACT_RULE, lambda r: r["dossier"].attachments.count() == 2),
    Write("kiosk rating", _kiosk_rate, KIOSK_RULE, lambda r: Rating.objects.filter(dossier=r["done"]).exists()),
    Write("refund request", _refund, REFUND_RULE, _refund_requested),
    Write("citizen rating", _citizen_rate, CITIZEN_RULE, lambda r: Rating.objects.filter(dossier=r["done"]).exists()),
    Write(
        "api petition action",
        _api_petition_act,
        PETITION_ACT_RULE,
        lambda r: Petition.objects.get(pk=r["petition"].pk).status != r["petition"].status,
    ),
    Write("staff attachment", _page_attach, ACT_RULE, lambda r: r["dossier"].attachments.count() == 2),
    Write(
        "staff apology draft",
        _page_apology_draft,
        ACT_RULE,
        lambda r: Apology.objects.filter(dossier=r["dossier"]).count() == 2,
    ),
    Write(
        "staff apology edit",
        _page_apology_edit,
        ACT_RULE,
        lambda r: Apology.objects.get(pk=r["apology"].pk).reason == "Lý do đã sửa",
    ),
    Write(
        "staff apology sign",
        _page_apology_sign,
        SIGN_RULE,
        lambda r: Apology.objects.get(pk=r["apology"].pk).status == Apology.Status.SIGNED,
    ),
    Write(
        "staff petition action",
        _page_petition_act,
        PETITION_ACT_RULE,
        lambda r: Petition.objects.get(pk=r["petition"].pk).status != r["petition"].status,
    ),
    Write(
        "api receipt",
        _api_receive,
        RECEIVE_RULE,
        lambda r: Dossier.objects.filter(receiving_unit=r["unit"], applicant_id_number=RECEIVED_ID).exists(),
        forbidden_input,
    ),
    Write(
        "national sync resend",
        _sync_resend,
        SUPERVISOR_RULE,
        lambda r: SyncMessage.objects.get(pk=r["sync"].pk).status == SyncStatus.PENDING,
    ),
    Write(
        "national inbound",
        _national_inbound,
        NOBODY_RULE,
        lambda r: InboundDossier.objects.filter(portal_id=f"QG-{r['unit'].code}").exists(),
    ),
)


def _assignee(dossier):
    return Dossier.objects.values_list("assignee", flat=True).get(pk=dossier.pk)


def _status(dossier) -> int:
    return Dossier.objects.values_list("status", flat=True).get(pk=dossier.pk)


@pytest.mark.parametrize("write", WRITES, ids=lambda w: w.name)
@pytest.mark.parametrize("role", ROLES)
def test_does_change_a_dossier_only_where_the_access_rule_allows(matrix, db, client, role, write):
    bearer = _login(client, matrix, role)
    changed = set()
    for relation in RELATIONS:
        row = matrix["rows"][relation]
        response = write.post(client, row, bearer)
        assert response.status_code < 500, (relation, response.status_code)
        if write.done(row):
            changed.add(relation)
            assert response.status_code in (200, 201, 302), (relation, response.status_code)
        else:
            assert write.refusal(response), (relation, response.status_code)
    assert changed == _expected(write.rule, role)
