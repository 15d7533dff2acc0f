"""Importing historical dossiers and their events from CSV/XLSX (docs/adr/0004-history-import.md)."""

from .load import ImportResult, history_import

__all__ = ["ImportResult", "history_import"]
