"""The two menus every page uses: the public one and the staff one (items shown per role).

A menu only shows a link its reader may open; the pages still check access themselves.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from dossiers.access import grant_of
from dossiers.roles import COUNTER_CLERK, SUPERVISOR, UNIT_LEADER

ANYONE = None  # every signed-in officer


@dataclass(frozen=True)
class Item:
    url_name: str
    label: str | Promise  # gettext_lazy
    roles: frozenset | None = ANYONE  # roles that see it (superusers see everything)
    staff_flag: bool = False  # shown to users with the admin site (is_staff) instead
    switch: str = ""  # a "module.function" that says whether the feature behind it is on


PUBLIC_MENU = (
    Item("procedures", _("Thủ tục")),
    Item("centres", _("Nơi nộp hồ sơ")),
    Item("lookup", _("Tra cứu hồ sơ")),
    Item("citizen-dossiers", _("Hồ sơ của tôi"), switch="citizens.identity.oidc_enabled"),
    Item("feedback:petitions", _("Phản ánh, kiến nghị")),
    Item("public-results", _("Kết quả giải quyết")),
)
STAFF_MENU = (
    Item("staff:home", _("Hàng đợi hồ sơ")),
    Item("staff:intake", _("Tiếp nhận hồ sơ"), frozenset({COUNTER_CLERK})),
    Item("staff:register", _("Sổ theo dõi"), frozenset({COUNTER_CLERK, UNIT_LEADER, SUPERVISOR})),
    Item("staff:supervision", _("Giám sát hồ sơ"), frozenset({UNIT_LEADER, SUPERVISOR})),
    Item("staff:apologies", _("Văn bản xin lỗi chờ ký"), frozenset({UNIT_LEADER, SUPERVISOR})),
    Item("kpi-dashboard", _("Chỉ số 766"), frozenset({SUPERVISOR})),
    Item("integrations:national-sync", _("Đồng bộ Cổng DVCQG"), frozenset({SUPERVISOR})),
    Item("feedback:staff-petitions", _("Phản ánh, kiến nghị")),
    Item("feedback:kiosk-start", _("Kiosk đánh giá"), frozenset({COUNTER_CLERK})),
    Item("admin:index", _("Quản trị"), frozenset(), staff_flag=True),
)


def _shows(item: Item, user, roles: set[str]) -> bool:
    if user.is_superuser or item.roles is ANYONE:
        return True
    return bool(item.roles & roles) or (item.staff_flag and user.is_staff)


def _url(name: str) -> str | None:
    """The item's address, or None while its app's pages are not wired (a menu without them)."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def _switched_on(item: Item) -> bool:
    return not item.switch or import_string(item.switch)()


def _links(items, path: str) -> list[dict]:
    links = [{"url": url, "label": item.label} for item in items if _switched_on(item) and (url := _url(item.url_name))]
    # The current page is the longest menu address its path starts with ("/" matches nothing).
    current = max((link["url"] for link in links if path.startswith(link["url"])), key=len, default=None)
    for link in links:
        link["current"] = link["url"] == current
    return links


def public_menu(path: str) -> list[dict]:
    return _links(PUBLIC_MENU, path)


def staff_menu(user, path: str) -> list[dict]:
    """The staff menu for `user`: their roles from the access rule's grant (dossiers/access.py),
    which the page's own access check computes anyway (once per request)."""
    if not user.is_authenticated:
        return []
    roles = set(grant_of(user).roles)
    return _links([item for item in STAFF_MENU if _shows(item, user, roles)], path)
