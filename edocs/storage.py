"""The signing store: the units' PKCS#12 files and the signed documents, outside MEDIA_ROOT.

Nothing here is served by a URL of its own; a signed document leaves only through a view that
checks the access rule (staff) or the lookup key (citizens).
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible
class SigningStorage(FileSystemStorage):
    """`PORTAL_SIGNING_DIR`, read at each use (tests and deployments may move it), owner-only."""

    def __init__(self):
        super().__init__(file_permissions_mode=0o600, directory_permissions_mode=0o700)

    @property
    def base_location(self):
        return str(settings.PORTAL_SIGNING_DIR)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None  # never a public URL


signing_storage = SigningStorage()
