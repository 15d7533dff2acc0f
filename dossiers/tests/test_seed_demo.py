"""seed_demo: a real province, the catalogue, the calendar and staff, idempotently."""

import sys
import types
from datetime import date
from importlib.machinery import ModuleSpec
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import override_settings
from vietnam_provinces import Ward

from dossiers.models import CalendarDay, Field, Procedure, RequiredDocument, RoutingStep, Unit, UnitMembership

CENTRE = "000.00.01.H56"
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed once for the module inside an outer transaction; each test runs in a savepoint."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHER), transaction.atomic():
        yield seed()
        transaction.set_rollback(True)


def counts() -> dict[str, int]:
    models = (Unit, Field, Procedure, RequiredDocument, RoutingStep, CalendarDay, UnitMembership, Group)
    result = {m.__name__: m.objects.count() for m in models}
    result["users"] = get_user_model().objects.count()
    return result


@pytest.mark.django_db
def test_does_create_province_centre_and_every_commune_when_seeding(seeded):
    centre = Unit.objects.get(code=CENTRE)
    communes = Unit.objects.filter(level=Unit.Level.COMMUNE, kind=Unit.Kind.CENTRE)

    assert centre.name == "Trung tâm Phục vụ hành chính công tỉnh Khánh Hòa"
    assert (centre.kind, centre.level, centre.parent) == (Unit.Kind.CENTRE, Unit.Level.PROVINCE, None)
    assert communes.count() == len(list(Ward.iter_by_province(56)))
    assert set(communes.values_list("parent__code", "province_code")) == {(CENTRE, 56)}
    nha_trang = Unit.objects.get(code="22366.H56")
    assert (nha_trang.name, nha_trang.ward_code) == ("Trung tâm Phục vụ hành chính công Phường Nha Trang", 22366)


@pytest.mark.django_db
def test_does_create_agencies_with_departments_when_seeding(seeded):
    agencies = Unit.objects.filter(kind=Unit.Kind.AGENCY, level=Unit.Level.PROVINCE, parent=None)

    assert agencies.count() == 10
    assert {"Sở Tư pháp tỉnh Khánh Hòa", "Sở Tài chính tỉnh Khánh Hòa", "Công an tỉnh Khánh Hòa"} <= set(
        agencies.values_list("name", flat=True)
    )
    for agency in agencies:
        assert 1 <= agency.children.filter(kind=Unit.Kind.DEPARTMENT).count() <= 2, agency.code
    assert Unit.objects.get(code="000.02.01.H56").parent.code == "000.00.02.H56"


@pytest.mark.django_db
def test_does_fit_routing_budgets_in_legal_time_when_seeding_catalogue(seeded):
    procedures = list(Procedure.objects.with_details())

    assert len(procedures) >= 30
    assert {p.level for p in procedures} == set(Procedure.Level.values)
    assert {p.time_unit for p in procedures} >= {"working_days", "working_hours", "calendar_days"}
    for p in procedures:
        assert 2 <= len(p.documents.all()) <= 6, p.national_code
        assert 3 <= len(p.steps.all()) <= 5, p.national_code
        assert p.step_budget_excess() is None, p.national_code
        assert (p.lead_agency is None) == (p.level == Procedure.Level.COMMUNE), p.national_code
        assert bool(p.shortening_decision) == (p.committed_processing_time is not None), p.national_code


@pytest.mark.django_db
def test_does_seed_real_procedures_when_seeding_catalogue(seeded):
    birth = Procedure.objects.get(national_code="1.001193")
    copies = Procedure.objects.get(national_code="2.000815")
    marriage = Procedure.objects.get(national_code="1.000894")

    assert (birth.name, birth.level, birth.field.name) == ("Đăng ký khai sinh", "commune", "Hộ tịch")
    assert copies.same_day
    assert marriage.committed_processing_time < marriage.legal_processing_time
    assert "Khánh Hòa" in marriage.shortening_decision
    assert Procedure.objects.get(national_code="2.000488").lead_agency.code == "000.00.02.H56"


@pytest.mark.django_db
def test_does_load_holidays_when_seeding(seeded):
    assert CalendarDay.objects.filter(date=date(2026, 4, 30), unit=None, is_working=False).exists()
    assert CalendarDay.objects.filter(date__year=2030, is_working=False).exists()


@pytest.mark.django_db
def test_does_give_staff_their_role_and_unit_when_seeding(seeded):
    expected = {
        "motcua.tiepnhan": ("counter_clerk", CENTRE),
        "motcua.chuyenvien": ("specialist", "000.00.02.H56"),
        "motcua.lanhdao": ("unit_leader", "000.00.02.H56"),
        "motcua.giamsat": ("supervisor", CENTRE),
        "motcua.quantri": ("admin", CENTRE),
        "motcua.xa.tiepnhan": ("counter_clerk", "22366.H56"),
        "motcua.chuyenvien.tc": ("specialist", "000.00.03.H56"),
    }
    users = get_user_model().objects.prefetch_related("groups", "units")

    for username, (role, unit_code) in expected.items():
        user = users.get(username=username)
        assert [g.name for g in user.groups.all()] == [role]
        assert [u.code for u in user.units.all()] == [unit_code]
        assert user.check_password("motcua-demo-2026")
        assert username in seeded
    admin = users.get(username="motcua.quantri")
    assert admin.is_staff and admin.is_superuser
    assert not users.get(username="motcua.tiepnhan").is_staff
    supervised = Unit.objects.subtree_of(users.get(username="motcua.giamsat").units.all())
    assert supervised.filter(code="22366.H56").exists()


@pytest.mark.django_db
def test_does_change_nothing_when_seeding_twice(seeded):
    before = counts()
    hashes = dict(get_user_model().objects.values_list("username", "password"))

    output = seed()

    assert counts() == before
    assert dict(get_user_model().objects.values_list("username", "password")) == hashes
    assert "Thủ tục hành chính: tạo mới 0" in output
    assert "Người dùng: tạo mới 0, đã có 9" in output


@pytest.mark.django_db
def test_does_call_dossier_seeder_when_dossiers_requested(seeded, monkeypatch):
    calls = []
    module = types.ModuleType("dossiers.demo.dossiers")
    module.__spec__ = ModuleSpec(module.__name__, loader=None)
    module.demo_dossiers_seed = lambda *, count: calls.append(count) or {"created": count, "existing": 0}
    monkeypatch.setitem(sys.modules, module.__name__, module)

    seed(dossiers=4)

    assert calls == [4]


@pytest.mark.django_db
def test_does_say_dossier_seeding_is_missing_when_module_absent(seeded, monkeypatch):
    monkeypatch.setattr("importlib.util.find_spec", lambda name, *args: None)

    assert "Chưa có chức năng tạo hồ sơ mẫu" in seed(dossiers=2)


@pytest.mark.django_db
def test_cannot_seed_when_province_code_unknown():
    with pytest.raises(CommandError, match="Mã tỉnh không hợp lệ"):
        seed(province=99)
    assert not Unit.objects.filter(province_code=99).exists()
