"""factory-boy factories shared by the test suites."""

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from dossiers.models import Field, Procedure, RequiredDocument, RoutingStep, Unit, UnitMembership


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"000.00.{n:02d}.H56")
    name = factory.Sequence(lambda n: f"Đơn vị thử nghiệm {n}")
    kind = Unit.Kind.AGENCY
    level = Unit.Level.PROVINCE
    address = "01 Trần Phú, Nha Trang, Khánh Hòa"


class CentreFactory(UnitFactory):
    kind = Unit.Kind.CENTRE
    name = factory.Sequence(lambda n: f"Trung tâm Phục vụ hành chính công {n}")


class FieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Field
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"F{n:03d}")
    name = factory.Sequence(lambda n: f"Lĩnh vực {n}")


class ProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Procedure
        django_get_or_create = ("national_code",)

    national_code = factory.Sequence(lambda n: f"9.{n:06d}")
    name = factory.Sequence(lambda n: f"Thủ tục thử nghiệm {n}")
    field = factory.SubFactory(FieldFactory)
    level = Procedure.Level.PROVINCE
    lead_agency = factory.SubFactory(UnitFactory)
    legal_processing_time = Decimal(5)
    time_unit = "working_days"
    online_level = Procedure.OnlineLevel.PARTIAL
    fee = Decimal(50000)


class RequiredDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RequiredDocument

    procedure = factory.SubFactory(ProcedureFactory)
    position = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Giấy tờ {n}")
    copy_kind = RequiredDocument.CopyKind.ORIGINAL
    count = 1


class RoutingStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoutingStep

    procedure = factory.SubFactory(ProcedureFactory)
    position = factory.Sequence(lambda n: n + 1)
    name = "Thẩm định"
    role = RoutingStep.Role.SPECIALIST
    budget_hours = Decimal(8)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Văn A"
    last_name = "Nguyễn"
    password = factory.django.Password("mat-khau-thu-nghiem")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for role in extracted or ():
            self.groups.add(Group.objects.get_or_create(name=role)[0])

    @factory.post_generation
    def units(self, create, extracted, **kwargs):
        for unit in extracted or ():
            UnitMembership.objects.get_or_create(user=self, unit=unit)
