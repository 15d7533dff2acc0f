"""Staff work pages (queues, intake, dossier page)."""

from django.urls import path

from .views import staff

urlpatterns = [
    path("", staff.home, name="home"),
    path("tiep-nhan/", staff.intake, name="intake"),
    path("ho-so/<str:code>/", staff.dossier, name="dossier"),
    path("ho-so/<str:code>/xu-ly/", staff.act, name="act"),
    path("ho-so/<str:code>/phan-cong/", staff.assign, name="assign"),
    path("ho-so/<str:code>/tep/", staff.attach, name="attach"),
    path("tep/<int:pk>/", staff.attachment, name="attachment"),
]
