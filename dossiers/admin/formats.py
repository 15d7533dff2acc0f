"""The admin's import-export file formats, written by the portal's own spreadsheet writers
(dossiers.exports): formula-like text as text, and in XLSX a bold frozen header, fitted columns,
typed dates and numbers."""

import io

import tablib
from django.core.exceptions import PermissionDenied
from import_export.formats import base_formats

from ..exports import csv_text, csv_untext, xlsx_write


class SpreadsheetCSV(base_formats.CSV):
    def export_data(self, dataset, **kwargs):
        return super().export_data(_mapped(dataset, csv_text), **kwargs)

    def create_dataset(self, in_stream, **kwargs):
        return _mapped(super().create_dataset(in_stream, **kwargs), csv_untext)


class SpreadsheetXLSX(base_formats.XLSX):
    def export_data(self, dataset, **kwargs):
        file = io.BytesIO()
        xlsx_write(file, dataset.headers or [], list(dataset), title=dataset.title or "Sheet")
        return file.getvalue()


FILE_FORMATS = [SpreadsheetCSV, SpreadsheetXLSX]


def _mapped(dataset: tablib.Dataset, function) -> tablib.Dataset:
    out = tablib.Dataset(*[[function(v) for v in row] for row in dataset], headers=dataset.headers)
    out.title = dataset.title
    return out


class SpreadsheetExportMixin:
    """import-export gives native values (dates, numbers) only to its own binary formats; ours too."""

    def get_export_data(self, file_format, request, queryset, **kwargs):
        if not self.has_export_permission(request):
            raise PermissionDenied
        native = file_format.is_binary()
        data = self.get_data_for_export(request, queryset, force_native_type=native, **kwargs)
        exported = file_format.export_data(data)
        encoding = kwargs.get("encoding")
        return exported.encode(encoding) if encoding and not native else exported
