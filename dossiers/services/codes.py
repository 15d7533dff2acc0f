"""Lookup keys: the secret a citizen quotes with a dossier's code (shared/docs/domain.md).
The codes themselves are numbered where the dossier is written (`dossiers.db.numbering`)."""

import secrets

# No look-alikes: 0/O, 1/I/L, 2/Z, 5/S, 8/B are left out.
LOOKUP_ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
LOOKUP_KEY_LENGTH = 8


def lookup_key_new() -> str:
    return "".join(secrets.choice(LOOKUP_ALPHABET) for _ in range(LOOKUP_KEY_LENGTH))
