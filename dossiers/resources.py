"""Import and export of units, procedures and the working calendar (django-import-export).

Rows are keyed by natural keys: a unit by `code`, a procedure by `national_code`, a
calendar day by its date and unit code (empty: province-wide). Whatever the caller asks,
an import runs in one transaction that is rolled back on any error, validation errors
included, so a file with a bad row imports nothing (style point 9). Errors are keyed
by the column's Vietnamese label, e.g. "Cơ quan chủ trì (lead_agency)".

A procedure row carries its documents and routing steps as text:
    documents = "Tờ khai|original|1; Giấy chứng sinh|copy|1|optional"   (name|copy kind|count[|optional])
    steps     = "Tiếp nhận|counter_clerk||4; Thẩm định|specialist|000.00.02.H56|16"
                (name|role|unit code or empty|budget in working hours)
and they are replaced as a whole with each imported row.
"""

from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets
from import_export.instance_loaders import CachedInstanceLoader, ModelInstanceLoader

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from .models import CalendarDay, Field, Procedure, RequiredDocument, RoutingStep, Unit
from .services.calendar_days import calendar_change_record
from .services.catalogue import catalogue_changed, procedure_details_replace

ITEM_SEPARATOR, PART_SEPARATOR = ";", "|"
OPTIONAL_MARKS = {"optional", "không bắt buộc"}
DOCUMENT_NAME, STEP_NAME = RequiredDocument._meta.get_field("name"), RoutingStep._meta.get_field("name")


def plain_decimal(value: Decimal | None) -> str:
    """5.0 → "5", 2.50 → "2.5": files travel between systems, so no locale separators."""
    if value is None:
        return ""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def parse_decimal(value) -> Decimal:
    try:
        return Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise ValueError(_("«%(v)s» không phải là số.") % {"v": value}) from None


# --- widgets ---------------------------------------------------------------------------


class CodeWidget(widgets.ForeignKeyWidget):
    """A foreign key given by code, looked up in a dictionary loaded once per import."""

    def __init__(self, model, field: str = "code", **kwargs):
        super().__init__(model, field=field, **kwargs)
        self._by_code: dict | None = None

    def prime(self) -> dict:
        self._by_code = {getattr(obj, self.field): obj for obj in self.model.objects.all()}
        return self._by_code

    def remember(self, obj) -> None:
        """Make a row saved earlier in the same file findable (a unit's parent)."""
        if self._by_code is not None:
            self._by_code[getattr(obj, self.field)] = obj

    def lookup(self, code: str):
        by_code = self.prime() if self._by_code is None else self._by_code
        try:
            return by_code[code]
        except KeyError:
            raise ValueError(
                _("Không có %(model)s với mã «%(code)s».") % {"model": self.model._meta.verbose_name, "code": code}
            ) from None

    def clean(self, value, row=None, **kwargs):
        code = "" if value is None else str(value).strip()
        return self.lookup(code) if code else None


class PlainDecimalWidget(widgets.DecimalWidget):
    def clean(self, value, row=None, **kwargs):
        return None if self.is_empty(value) else parse_decimal(value)

    def render(self, value, obj=None, **kwargs):
        return value if kwargs.get("force_native_type") else plain_decimal(value)


class FlagWidget(widgets.BooleanWidget):
    """1/0, true/false or có/không; anything else is an error, not a silent False."""

    TRUE_VALUES = [*widgets.BooleanWidget.TRUE_VALUES, "có", "Có"]
    FALSE_VALUES = [*widgets.BooleanWidget.FALSE_VALUES, "không", "Không"]

    def clean(self, value, row=None, **kwargs):
        value = value.strip() if isinstance(value, str) else value
        if value in self.NULL_VALUES:
            return None
        if value in self.TRUE_VALUES:
            return True
        if value in self.FALSE_VALUES:
            return False
        raise ValueError(_("«%(v)s» không phải giá trị đúng/sai (1 hoặc 0).") % {"v": value})


class DayWidget(widgets.DateWidget):
    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime):  # spreadsheet cells
            return value.date()
        try:
            return super().clean(value.strip() if isinstance(value, str) else value, row, **kwargs)
        except ValueError:
            raise ValueError(_("«%(v)s» không phải ngày dạng dd/mm/yyyy.") % {"v": value}) from None


class PreviewDiff(resources.Diff):
    """The before/after comparison, computed only for the dry-run preview that shows it.

    The confirmed import's result feeds counts and the admin log, never the diff.
    """

    def __init__(self, resource, instance, new):
        self.wanted = getattr(resource, "previewing", True)
        self.left = self._read_field_values(resource, instance) if self.wanted else []
        self.right, self.new = [], new

    def compare_with(self, resource, instance):
        if self.wanted:
            super().compare_with(resource, instance)

    def as_html(self):
        return super().as_html() if self.wanted else []


class LenientInstanceLoader(ModelInstanceLoader):
    """A bad key value means "no existing row"; import_instance then reports it by field."""

    def get_instance(self, row):
        try:
            return super().get_instance(row)
        except ValueError:
            return None


# --- the base resource -----------------------------------------------------------------


class StrictModelResource(resources.ModelResource):
    """All or nothing, with errors labelled in Vietnamese and no query per row to validate."""

    extra_labels: dict[str, "StrOrPromise | None"] = {}

    @classmethod
    def widget_from_django_field(cls, f, default=widgets.Widget):
        if isinstance(f, models.DecimalField):
            return PlainDecimalWidget
        if isinstance(f, models.BooleanField):
            return FlagWidget
        if type(f) is models.DateField:
            return DayWidget
        if isinstance(f, models.TextField):  # spreadsheets read empty cells as None
            return widgets.CharWidget
        return super().widget_from_django_field(f, default)

    @classmethod
    def get_diff_class(cls):
        return PreviewDiff

    def import_data(self, dataset, dry_run=False, **kwargs):
        self.previewing = dry_run
        kwargs["use_transactions"] = True
        kwargs["rollback_on_validation_errors"] = True
        return super().import_data(dataset, dry_run=dry_run, **kwargs)

    def before_import(self, dataset, **kwargs):
        for field in self.fields.values():
            if isinstance(field.widget, CodeWidget):
                field.widget.prime()

    def check_instance(self, instance) -> Iterable[tuple[str, str]]:
        """Rules across fields, as (field, message); checked in Python, not by the database."""
        return ()

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        try:
            # Uniqueness and constraints would cost queries per row: the natural key
            # loader and check_instance() cover them.
            instance.full_clean(
                exclude=self._not_to_clean(instance, errors), validate_unique=False, validate_constraints=False
            )
        except ValidationError as e:
            errors = e.update_error_dict(errors)
        for key, message in self.check_instance(instance):
            errors.setdefault(key, []).append(message)
        if errors:
            raise ValidationError({self.label(key): messages for key, messages in errors.items()})

    def _not_to_clean(self, instance, errors) -> set[str]:
        exclude = set(errors)
        for field in instance._meta.concrete_fields:
            # A foreign key set by a CodeWidget exists already; checking it again is a query.
            if field.is_relation and getattr(instance, field.attname) is not None:
                exclude.add(field.name)
        return exclude

    def label(self, key: str) -> str:
        if key == NON_FIELD_ERRORS:
            return key
        column = self.fields[key].column_name if key in self.fields else key
        try:
            verbose = self.extra_labels.get(key) or self._meta.model._meta.get_field(key).verbose_name
        except FieldDoesNotExist:
            return column
        return f"{capfirst(verbose)} ({column})"


class OncePerFileResource(StrictModelResource):
    """A resource whose natural key (its one `import_id_fields`) a file names once: a later row
    with the same key is an error of that row, reported with the row's other errors."""

    repeated_key: "StrOrPromise"  # the error of a later row, %(n)s the first row's number

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self._first_rows: dict[object, int] = {}

    def row_errors(self, instance, row) -> dict[str, list[str]]:
        """The row's errors beyond its fields' (columns saved after the row), by field."""
        return {}

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as e:
            errors = e.update_error_dict(errors)
        errors.update(self.row_errors(instance, row))
        [key] = self._meta.import_id_fields
        first_row = self._first_rows.setdefault(getattr(instance, key), kwargs.get("row_number"))
        if first_row != kwargs.get("row_number"):
            errors[key] = [self.repeated_key % {"n": first_row}]
        if errors:
            raise ValidationError(errors)


# --- units -----------------------------------------------------------------------------


def _parents_first(units: Iterable[Unit]) -> list[Unit]:
    """Order units so that a parent precedes its children (a file imports top-down)."""
    by_id = {unit.pk: unit for unit in units}

    def depth(unit: Unit) -> int:
        steps = 0
        while unit.parent_id in by_id and steps < len(by_id):
            unit, steps = by_id[unit.parent_id], steps + 1
        return steps

    return sorted(by_id.values(), key=lambda unit: (depth(unit), unit.code))


class UnitResource(StrictModelResource):
    parent = fields.Field(attribute="parent", column_name="parent", widget=CodeWidget(Unit))

    class Meta:
        model = Unit
        import_id_fields = ("code",)
        fields = (
            "code",
            "name",
            "short_name",
            "kind",
            "level",
            "parent",
            "province_code",
            "ward_code",
            "address",
            "phone",
            "email",
            "morning_opens",
            "morning_closes",
            "afternoon_opens",
            "afternoon_closes",
            "saturday_morning",
            "is_active",
        )
        export_order = fields
        instance_loader_class = CachedInstanceLoader
        skip_unchanged = True
        use_transactions = True

    def after_save_instance(self, instance, row, **kwargs):
        self.fields["parent"].widget.remember(instance)

    def check_instance(self, instance):
        if instance.pk and instance.parent_id == instance.pk:
            yield "parent", _("Đơn vị không thể là cấp trên của chính nó.")
        hours = (instance.morning_opens, instance.morning_closes, instance.afternoon_opens, instance.afternoon_closes)
        if None not in hours and not (hours[0] < hours[1] <= hours[2] < hours[3]):
            yield NON_FIELD_ERRORS, _("Giờ làm việc phải theo thứ tự: mở sáng < đóng sáng ≤ mở chiều < đóng chiều.")

    def filter_export(self, queryset, **kwargs):
        return _parents_first(queryset.select_related("parent"))


# --- procedures ------------------------------------------------------------------------


def _items(text) -> list[list[str]]:
    items = [item.strip() for item in str(text or "").split(ITEM_SEPARATOR)]
    return [[part.strip() for part in item.split(PART_SEPARATOR)] for item in items if item]


def _choice(choices: type[models.TextChoices], value: str, what: str) -> str:
    if value in choices.values:
        return value
    for code, label in choices.choices:  # the Vietnamese label is accepted too
        if value.lower() == str(label).lower():
            return code
    raise ValueError(
        _("%(what)s «%(value)s» không hợp lệ; dùng một trong: %(codes)s.")
        % {"what": what, "value": value, "codes": ", ".join(choices.values)}
    )


def _text(value: str, field: models.Field) -> str:
    if not value:
        raise ValueError(_("thiếu %(what)s.") % {"what": field.verbose_name})
    if field.max_length is not None and len(value) > field.max_length:
        raise ValueError(_("%(what)s dài quá %(n)s ký tự.") % {"what": field.verbose_name, "n": field.max_length})
    return value


def _count(value: str) -> int:
    if not value.isdigit() or not 0 < int(value) < 32768:
        raise ValueError(_("số lượng «%(v)s» phải là số nguyên dương.") % {"v": value})
    return int(value)


def _budget(value: str) -> Decimal:
    budget = parse_decimal(value)
    if not Decimal(0) < budget < Decimal(100000) or budget != budget.quantize(Decimal("0.1")):
        raise ValueError(_("thời gian «%(v)s» phải là số giờ dương, tối đa một chữ số thập phân.") % {"v": value})
    return budget


def _numbered(parse: Callable[[list[str]], object], text) -> list:
    """Parse each item, naming the item (mục 1, 2, …) when one is wrong."""
    parsed = []
    for number, parts in enumerate(_items(text), 1):
        try:
            parsed.append(parse(parts))
        except ValueError as e:
            raise ValueError(
                _("Mục %(n)s («%(item)s»): %(error)s") % {"n": number, "item": "|".join(parts), "error": e}
            ) from None
    return parsed


def documents_parse(text) -> list[RequiredDocument]:
    """`name|copy kind|count[|optional]; …` → unsaved documents (positions follow the order)."""

    def parse(parts: list[str]) -> RequiredDocument:
        if len(parts) > 4:
            raise ValueError(_("cần dạng tên|loại bản|số lượng[|optional]."))
        name, kind, count, optional = (parts + ["", "", ""])[:4]
        return RequiredDocument(
            name=_text(name, DOCUMENT_NAME),
            copy_kind=_choice(RequiredDocument.CopyKind, kind or RequiredDocument.CopyKind.ORIGINAL, _("loại bản")),
            count=_count(count or "1"),
            is_mandatory=optional.lower() not in OPTIONAL_MARKS,
        )

    return _numbered(parse, text)


def steps_parse(text, *, unit_for: Callable[[str], Unit]) -> list[RoutingStep]:
    """`name|role|unit code or empty|budget hours; …` → unsaved routing steps."""

    def parse(parts: list[str]) -> RoutingStep:
        if len(parts) != 4:
            raise ValueError(_("cần dạng tên bước|vai trò|mã đơn vị (có thể trống)|số giờ."))
        name, role, unit_code, budget = parts
        return RoutingStep(
            name=_text(name, STEP_NAME),
            role=_choice(RoutingStep.Role, role, _("vai trò")),
            unit=unit_for(unit_code) if unit_code else None,
            budget_hours=_budget(budget),
        )

    return _numbered(parse, text)


def documents_format(documents: Iterable[RequiredDocument]) -> str:
    return f"{ITEM_SEPARATOR} ".join(
        PART_SEPARATOR.join([d.name, d.copy_kind, str(d.count), *([] if d.is_mandatory else ["optional"])])
        for d in documents
    )


def steps_format(steps: Iterable[RoutingStep]) -> str:
    return f"{ITEM_SEPARATOR} ".join(
        PART_SEPARATOR.join([s.name, s.role, s.unit.code if s.unit is not None else "", plain_decimal(s.budget_hours)])
        for s in steps
    )


class DetailsField(fields.Field):
    """A text column for a procedure's documents or steps: pending import values, else saved ones.

    Reading pending values lets the dry-run diff and skip_unchanged see the change.
    """

    def __init__(self, *, related_name: str, format_items: Callable[[Iterable], str], **kwargs):
        super().__init__(column_name=related_name, **kwargs)
        self.related_name, self.format_items = related_name, format_items

    def get_value(self, instance):
        pending = getattr(instance, "_pending_details", {}).get(self.related_name)
        if pending is not None:
            return self.format_items(pending)
        saved = getattr(instance, "_saved_details", {}).get(self.related_name)
        return saved if saved is not None else self.saved_text(instance)

    def saved_text(self, instance) -> str:
        return self.format_items(getattr(instance, self.related_name).all()) if instance.pk else ""


class ProcedureResource(OncePerFileResource):
    """The tuned path: cached lookups, bulk writes; the admin and the benchmark use it."""

    field = fields.Field(attribute="field", column_name="field", widget=CodeWidget(Field))
    lead_agency = fields.Field(attribute="lead_agency", column_name="lead_agency", widget=CodeWidget(Unit))
    documents = DetailsField(related_name="documents", format_items=documents_format)
    steps = DetailsField(related_name="steps", format_items=steps_format)

    extra_labels = {
        "documents": RequiredDocument._meta.verbose_name_plural,
        "steps": RoutingStep._meta.verbose_name_plural,
    }
    repeated_key = gettext_lazy("Mã TTHC trùng với dòng %(n)s.")

    class Meta:
        model = Procedure
        import_id_fields = ("national_code",)
        fields = (
            "national_code",
            "name",
            "field",
            "level",
            "lead_agency",
            "legal_processing_time",
            "committed_processing_time",
            "shortening_decision",
            "time_unit",
            "same_day",
            "supplement_resets_clock",
            "online_level",
            "online_url",
            "fee",
            "fee_note",
            "result_type",
            "result_name",
            "legal_basis",
            "is_active",
            "documents",
            "steps",
        )
        export_order = fields
        instance_loader_class = CachedInstanceLoader
        skip_unchanged = True
        use_bulk = True
        batch_size = 500
        use_transactions = True

    def get_queryset(self):
        return Procedure.objects.with_details()

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("field", "lead_agency").prefetch_related("documents", "steps__unit")

    def after_init_instance(self, instance, new, row, **kwargs):
        # Snapshot the saved lists while the prefetch cache is there: the library
        # deep-copies the instance for its diff, and a copied QuerySet forgets its rows.
        details = [field for field in self.fields.values() if isinstance(field, DetailsField)]
        instance._saved_details = {field.related_name: field.saved_text(instance) for field in details}

    def row_errors(self, instance, row) -> dict[str, list[str]]:
        """Parse the documents and steps columns (absent column: keep what is saved)."""
        parsers = {"documents": documents_parse, "steps": self._steps_parse}
        instance._pending_details, errors = {}, {}
        for column, parse in parsers.items():
            if column not in row:
                continue
            try:
                instance._pending_details[column] = parse(row[column])
            except ValueError as e:
                errors[column] = [str(e)]
        return errors

    def _steps_parse(self, text) -> list[RoutingStep]:
        return steps_parse(text, unit_for=self.fields["lead_agency"].widget.lookup)

    def check_instance(self, instance):
        legal, committed = instance.legal_processing_time, instance.committed_processing_time
        if legal is not None and legal < 0:
            yield "legal_processing_time", _("Thời hạn theo luật phải là số không âm.")
        if legal is not None and committed is not None and committed > legal:
            yield (
                "committed_processing_time",
                _("Thời hạn cam kết (%(c)s) dài hơn thời hạn theo luật (%(l)s).")
                % {"c": plain_decimal(committed), "l": plain_decimal(legal)},
            )

    def get_bulk_update_fields(self):
        concrete = {f.name for f in Procedure._meta.concrete_fields}
        return [name for name in self.fields if name in concrete and name not in self._meta.import_id_fields]

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        batch = list(self.create_instances)
        super().bulk_create(using_transactions, dry_run, raise_errors, batch_size=batch_size, result=result)
        self._bulk_written(batch)
        self._save_details(batch, using_transactions, dry_run, raise_errors, result)

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        batch = list(self.update_instances)
        super().bulk_update(using_transactions, dry_run, raise_errors, batch_size=batch_size, result=result)
        self._bulk_written(batch)
        self._save_details(batch, using_transactions, dry_run, raise_errors, result)

    @staticmethod
    def _bulk_written(batch) -> None:
        # A bulk write sends no signal; in a dry run the bump rolls back with the rows.
        if batch:
            catalogue_changed()

    def _save_details(self, batch, using_transactions, dry_run, raise_errors, result) -> None:
        """Write the batch's documents and steps once its procedures have ids."""
        if not batch or not (using_transactions or not dry_run) or any(p.pk is None for p in batch):
            return  # a failed bulk write was reported already and rolls the import back
        details = [(p, p._pending_details.get("documents"), p._pending_details.get("steps")) for p in batch]
        try:
            procedure_details_replace(details=details, batch_size=self._meta.batch_size)
        except Exception as e:  # reported like the library's own bulk errors: the import rolls back
            self.handle_import_error(result, e, raise_errors)


# --- the calendar ----------------------------------------------------------------------


class CalendarDayResource(StrictModelResource):
    """Days off and worked days; one calendar version per import, not per row."""

    unit = fields.Field(attribute="unit", column_name="unit", widget=CodeWidget(Unit))

    class Meta:
        model = CalendarDay
        import_id_fields = ("date", "unit")
        fields = ("date", "unit", "is_working", "name", "document")
        export_order = fields
        instance_loader_class = LenientInstanceLoader
        skip_unchanged = True
        use_transactions = True

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("unit")

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self._touched: set[date] = set()

    def before_save_instance(self, instance, row, **kwargs):
        instance.source = CalendarDay.Source.IMPORT

    def after_save_instance(self, instance, row, **kwargs):
        self._touched.add(instance.date)

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        if kwargs.get("dry_run") or not self._touched or result.has_errors() or result.has_validation_errors():
            return
        summary = _("Nhập lịch từ tệp %(file)s: %(n)s ngày") % {
            "file": kwargs.get("file_name") or "",
            "n": len(self._touched),
        }
        calendar_change_record(summary=summary, dates=self._touched, by=kwargs.get("user"))
