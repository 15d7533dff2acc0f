"""Admin registrations, one module per area of the dossiers app."""

from . import catalogue  # noqa: F401
