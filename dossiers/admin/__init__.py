"""Admin registrations, one module per area of the dossiers app."""

from . import catalogue, dossiers, users  # noqa: F401
