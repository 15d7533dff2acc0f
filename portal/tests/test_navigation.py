"""One public menu and one staff menu on every page; the staff menu shows what the reader's role opens."""

import pytest
from django.contrib.auth import get_user_model

from dossiers.tests.factories import UserFactory
from portal.navigation import public_menu, staff_menu

pytestmark = pytest.mark.django_db


def labels(links) -> list[str]:
    return [str(link["label"]) for link in links]


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        (
            "counter_clerk",
            ["Hàng đợi hồ sơ", "Tiếp nhận hồ sơ", "Sổ theo dõi", "Phản ánh, kiến nghị", "Kiosk đánh giá"],
        ),
        ("specialist", ["Hàng đợi hồ sơ", "Phản ánh, kiến nghị"]),
        (
            "unit_leader",
            ["Hàng đợi hồ sơ", "Sổ theo dõi", "Giám sát hồ sơ", "Văn bản xin lỗi chờ ký", "Phản ánh, kiến nghị"],
        ),
        (
            "supervisor",
            [
                "Hàng đợi hồ sơ",
                "Sổ theo dõi",
                "Giám sát hồ sơ",
                "Văn bản xin lỗi chờ ký",
                "Chỉ số 766",
                "Đồng bộ Cổng DVCQG",
                "Phản ánh, kiến nghị",
            ],
        ),
    ],
)
def test_does_show_the_items_of_the_role_when_an_officer_reads_the_staff_menu(role, shown):
    user = UserFactory(username=f"u-{role}", roles=[role])
    assert labels(staff_menu(user, "/can-bo/")) == shown


def test_does_show_the_admin_site_when_the_user_may_use_it():
    user = UserFactory(username="quantri", roles=["admin"], is_staff=True)
    assert labels(staff_menu(user, "/can-bo/")) == ["Hàng đợi hồ sơ", "Phản ánh, kiến nghị", "Quản trị"]


def test_does_show_every_item_when_the_user_is_a_superuser():
    user = get_user_model().objects.create_superuser("root", "root@example.vn", "x")
    assert len(staff_menu(user, "/can-bo/")) == 10


def test_does_mark_the_current_page_when_its_address_is_under_an_item():
    user = UserFactory(username="sup", roles=["supervisor"])
    current = [str(link["label"]) for link in staff_menu(user, "/can-bo/giam-sat/") if link["current"]]
    assert current == ["Giám sát hồ sơ"]
    assert [str(x["label"]) for x in public_menu("/thu-tuc/2.000488/") if x["current"]] == ["Thủ tục"]
    assert not any(x["current"] for x in public_menu("/"))


def test_does_link_the_public_results_when_a_citizen_reads_the_public_menu():
    assert [(str(x["label"]), x["url"]) for x in public_menu("/")][-2:] == [
        ("Phản ánh, kiến nghị", "/phan-anh/"),
        ("Kết quả giải quyết", "/cong-khai/ket-qua/"),
    ]


@pytest.mark.parametrize(
    "url", ["/can-bo/", "/can-bo/giam-sat/", "/can-bo/xin-loi/", "/can-bo/phan-anh/", "/giam-sat/chi-so/"]
)
def test_does_render_the_staff_menu_when_a_supervisor_opens_a_staff_page(client, world, url):
    client.force_login(world["supervisor"])
    html = client.get(url).content.decode()
    assert '<a href="/giam-sat/chi-so/"' in html and '<a href="/can-bo/so-theo-doi/"' in html


@pytest.mark.parametrize("url", ["/", "/phan-anh/", "/phan-anh/gui/", "/cong-khai/ket-qua/", "/accounts/login/"])
def test_does_render_the_public_menu_when_a_citizen_opens_a_public_page(client, url):
    html = client.get(url).content.decode()
    assert '<a href="/tra-cuu/"' in html and '<a href="/cong-khai/ket-qua/"' in html


def test_does_lead_back_to_the_queue_when_the_register_is_open(client, world):
    client.force_login(world["clerk"])
    assert '<a class="button secondary" href="/can-bo/">' in client.get("/can-bo/so-theo-doi/").content.decode()


def test_does_offer_my_dossiers_only_when_the_citizen_login_is_configured(settings):
    settings.PORTAL_OIDC_ISSUER, settings.PORTAL_OIDC_CLIENT_ID = "", ""
    assert "Hồ sơ của tôi" not in labels(public_menu("/"))
    settings.PORTAL_OIDC_ISSUER, settings.PORTAL_OIDC_CLIENT_ID = "https://id.example.gov.vn", "motcua"
    assert labels(public_menu("/"))[3] == "Hồ sơ của tôi"
    assert [x["url"] for x in public_menu("/")][3] == "/cong-dan/ho-so/"
