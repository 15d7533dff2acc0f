"""The lifecycle fixtures live in dossiers.tests.fixtures (a plugin of the root conftest)."""

from dossiers.tests.fixtures import local

__all__ = ["local"]
