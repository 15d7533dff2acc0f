"""The admin as an administrator meets it (issue 16 point 15): Vietnamese role names, unit
membership on the user's page, users import/export without passwords, Vietnamese labels, a header."""

import pytest
import tablib
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse

from dossiers.models import UnitMembership
from dossiers.roles import roles_sync
from dossiers.user_resources import UserResource

from .factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()
HEADERS = ["username", "last_name", "first_name", "email", "is_active", "is_staff", "roles", "units"]


@pytest.fixture
def units():
    roles_sync()
    centre = UnitFactory(code="000.00.01.H56", name="Trung tâm tỉnh")
    return [centre, UnitFactory(code="000.00.02.H56", name="Sở Tư pháp")]


def rows(*values: list) -> tablib.Dataset:
    return tablib.Dataset(*values, headers=HEADERS)


def test_does_label_every_field_of_the_admin_in_vietnamese_when_the_models_are_registered():
    for model, model_admin in admin.site._registry.items():
        for m in [model, *(inline.model for inline in model_admin.inlines)]:
            for field in m._meta.get_fields():
                if getattr(field, "auto_created", True) or not hasattr(field, "verbose_name"):
                    continue
                default = field.name.replace("_", " ")
                assert str(field.verbose_name) != default, f"{m._meta.label}.{field.name} has no Vietnamese name"


def test_does_name_the_portal_in_the_admin_header_when_an_administrator_signs_in(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()
    assert '<div id="site-name"><a href="/admin/">Một Cửa — Quản trị hệ thống</a></div>' in html
    assert "favicon.svg" in html and '<a href="/can-bo/">Trang làm việc của cán bộ</a>' in html
    assert "Django administration" not in html and "Quản trị trang web Django" not in html


def test_does_show_roles_by_their_vietnamese_names_when_a_user_is_edited(admin_client, units):
    user = UserFactory(username="binh", roles=["counter_clerk", "unit_leader"], units=units[:1])
    html = admin_client.get(reverse("admin:auth_user_change", args=[user.pk])).content.decode()
    for label in ("Cán bộ một cửa", "Chuyên viên xử lý", "Lãnh đạo đơn vị", "Giám sát", "Quản trị hệ thống"):
        assert label in html
    assert ">counter_clerk<" not in html and "đơn vị công tác" in html.lower()
    listing = admin_client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert "Cán bộ một cửa, Lãnh đạo đơn vị" in listing and "000.00.01.H56" in listing
    for english in ("Show counts", "trạng thái superuser", "Skip to main content", "Toggle theme"):
        assert english not in listing, english  # gaps of Django's Vietnamese catalogue, filled in locale/vi
    groups = admin_client.get(reverse("admin:auth_group_changelist")).content.decode()
    assert "Lãnh đạo đơn vị" in groups


def test_does_add_a_unit_membership_when_it_is_saved_from_the_user_page(admin_client, units):
    user = UserFactory(username="binh", roles=["counter_clerk"], units=units[:1])
    page = admin_client.get(reverse("admin:auth_user_change", args=[user.pk]))
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "password"}
    data |= {"groups": [g.pk for g in user.groups.all()], "date_joined_0": "01/01/2026", "date_joined_1": "08:00"}
    data |= {"last_login_0": "", "last_login_1": "", "is_active": "on"}
    membership = UnitMembership.objects.get(user=user)
    data |= {
        "memberships-TOTAL_FORMS": 2,
        "memberships-INITIAL_FORMS": 1,
        "memberships-MIN_NUM_FORMS": 0,
        "memberships-MAX_NUM_FORMS": 1000,
        "memberships-0-id": membership.pk,
        "memberships-0-user": user.pk,
        "memberships-0-unit": units[0].pk,
        "memberships-0-title": "Cán bộ một cửa",
        "memberships-1-user": user.pk,
        "memberships-1-unit": units[1].pk,
        "memberships-1-title": "Chuyên viên",
    }
    response = admin_client.post(reverse("admin:auth_user_change", args=[user.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert sorted(UnitMembership.objects.filter(user=user).values_list("unit__code", "title")) == [
        ("000.00.01.H56", "Cán bộ một cửa"),
        ("000.00.02.H56", "Chuyên viên"),
    ]


def test_does_export_users_with_roles_and_units_but_no_password_when_exported(units):
    user = UserFactory(username="binh", first_name="Thị Bình", last_name="Trần", roles=["counter_clerk"], units=units)
    exported = UserResource().export()
    assert exported.headers == HEADERS
    row = exported.dict[0]
    assert row["username"] == "binh" and row["roles"] == "Cán bộ một cửa"
    assert row["units"] == "000.00.01.H56; 000.00.02.H56"
    assert user.password not in exported.csv and "password" not in exported.csv and "md5$" not in exported.csv


def test_does_import_new_officers_with_roles_units_and_no_password_when_the_file_is_valid(units):
    result = UserResource().import_data(
        rows(
            [
                "linh",
                "Đặng",
                "Thị Mỹ Linh",
                "linh@example.vn",
                "1",
                "0",
                "chuyen vien xu ly; Giám sát",
                "000.00.02.H56",
            ],  # noqa: E501
            ["nam", "Phạm", "Văn Nam", "", "1", "0", "counter_clerk", "000.00.01.H56; 000.00.02.H56"],
        ),
        dry_run=False,
    )
    assert not result.has_errors() and not result.has_validation_errors()
    linh = User.objects.get(username="linh")
    assert not linh.has_usable_password() and linh.last_name == "Đặng"
    assert set(linh.groups.values_list("name", flat=True)) == {"specialist", "supervisor"}
    assert sorted(User.objects.get(username="nam").units.values_list("code", flat=True)) == [
        "000.00.01.H56",
        "000.00.02.H56",
    ]


def test_cannot_import_any_row_when_one_row_is_wrong(units):
    existing = UserFactory(username="binh", roles=["counter_clerk"])
    password = existing.password
    result = UserResource().import_data(
        rows(
            ["linh", "Đặng", "Thị Mỹ Linh", "", "1", "0", "Chuyên viên xử lý", "000.00.02.H56"],
            ["binh", "Trần", "Thị Bình", "", "1", "0", "Thủ quỹ", "000.00.01.H56"],
            ["nam", "Phạm", "Văn Nam", "khong-phai-email", "1", "0", "counter_clerk", "999.99.99.H56"],
        ),
        dry_run=False,
    )
    assert result.has_validation_errors()
    errors = {row.number: row.error_dict for row in result.invalid_rows}
    assert "Thủ quỹ" in errors[2]["Vai trò (roles)"][0]
    assert errors[3]["Đơn vị (units)"] == ["Không có đơn vị với mã «999.99.99.H56»."]
    assert "email" in " ".join(errors[3]).lower()
    assert not User.objects.filter(username__in=["linh", "nam"]).exists()  # nothing half-saved
    existing.refresh_from_db()
    assert existing.password == password and list(existing.groups.values_list("name", flat=True)) == ["counter_clerk"]


def test_cannot_import_the_same_username_twice_in_one_file(units):
    result = UserResource().import_data(
        rows(["linh", "Đặng", "Linh", "", "1", "0", "", ""], ["linh", "Đặng", "Mỹ Linh", "", "1", "0", "", ""]),
        dry_run=False,
    )
    [invalid] = result.invalid_rows
    assert invalid.number == 2 and "Tên đăng nhập trùng với dòng 1." in str(invalid.error_dict)
    assert not User.objects.filter(username="linh").exists()


def test_does_offer_import_and_export_on_the_users_page(admin_client):
    assert admin_client.get(reverse("admin:auth_user_import")).status_code == 200
    assert admin_client.get(reverse("admin:auth_user_export")).status_code == 200
