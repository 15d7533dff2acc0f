"""Public pages: home, catalogue, centres, status lookup (no namespace: names are global)."""

from django.urls import path

from . import views, views_citizen

urlpatterns = [
    path("", views.home, name="home"),
    path("thu-tuc/", views.procedures, name="procedures"),
    path("thu-tuc/<str:national_code>/", views.procedure, name="procedure"),
    path("thu-tuc/<str:national_code>/mau/<int:position>/", views.blank_form, name="blank-form"),
    path("trung-tam/", views.centres, name="centres"),
    path("tra-cuu/", views.lookup, name="lookup"),
    # Printed in the receipt's QR code by Dossier.public_url(): keep this path.
    path("tra-cuu/<str:code>/", views.lookup_result, name="lookup-result"),
    path("tra-cuu/<str:code>/ket-qua-dien-tu/", views.lookup_result_file, name="lookup-result-file"),
    # A citizen logged in with the electronic identity (citizens): their own dossiers, without a key.
    path("cong-dan/ho-so/", views_citizen.dossiers, name="citizen-dossiers"),
    path("cong-dan/ho-so/<str:code>/", views_citizen.dossier, name="citizen-dossier"),
]
