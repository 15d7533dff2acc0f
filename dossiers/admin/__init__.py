"""Admin registrations, one module per area of the dossiers app."""

from . import catalogue, users  # noqa: F401
