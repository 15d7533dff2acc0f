"""The admin site names the portal (its header, its title), in Vietnamese."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Một Cửa — Quản trị hệ thống")
admin.site.site_title = _("Quản trị Một Cửa")
admin.site.index_title = _("Danh mục, lịch làm việc và tài khoản cán bộ")
