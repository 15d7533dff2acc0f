"""Search that ignores accents and case: "tran thi my linh" finds "TRẦN THỊ MỸ LINH".

Text is *folded*: decomposed, its marks dropped, đ/Đ made d (Unicode does not decompose them),
lower-cased. In SQL the same is the function `motcua_fold(text)`:

* PostgreSQL: `lower(unaccent(…))` wrapped in an IMMUTABLE SQL function (migration
  dossiers 0012), so that a trigram GIN index can be built on `motcua_fold(applicant_name)`:
  `unaccent()` itself is only STABLE. PostgreSQL 15's unaccent rules map đ/Đ to d/D, and a
  test checks that both foldings agree on every Vietnamese letter.
* SQLite (the embedded mode): the Python `fold` below, registered on each connection.

Queries fold the typed text in Python and compare it with `Folded(column)`, so the pattern is
a constant the planner sees and the trigram index serves `LIKE '%…%'` at any size.
"""

import re
import unicodedata

from django.db import models
from django.db.backends.signals import connection_created

FOLD_FUNCTION = "motcua_fold"

# Common words citizens type for a procedure that its official name does not use (folded).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "so do": ("quyen su dung dat",),
    "so hong": ("quyen su dung dat", "quyen so huu nha"),
    "giay khai sinh": ("khai sinh",),
    "lam khai sinh": ("khai sinh",),
    "giay chung tu": ("khai tu",),
    "giay ket hon": ("ket hon",),
    "giay dang ky ket hon": ("ket hon",),
    "xac nhan doc than": ("tinh trang hon nhan",),
    "giay xac nhan doc than": ("tinh trang hon nhan",),
    "cong chung": ("chung thuc",),
    "giay phep kinh doanh": ("kinh doanh",),
    "giay phep xay nha": ("giay phep xay dung", "nha o rieng le"),
}


def fold(text: str | None) -> str:
    """`"  TRẦN Thị  Mỹ LINH "` → `"tran thi my linh"`."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.lower().split())


def fold_or_none(text):
    """The SQL function's body on SQLite (NULL stays NULL, as PostgreSQL's STRICT function)."""
    return None if text is None else fold(str(text))


class Folded(models.Func):
    """`motcua_fold(expression)` in SQL: the column as `fold` writes it."""

    function = FOLD_FUNCTION
    output_field = models.TextField()


def phrases(q: str) -> list[str]:
    """The folded query and, when it holds a common synonym, the official wording instead."""
    folded = fold(q)
    found = [folded]
    for common, official in SYNONYMS.items():
        if re.search(rf"\b{re.escape(common)}\b", folded):
            found += [re.sub(rf"\b{re.escape(common)}\b", name, folded) for name in official]
    return list(dict.fromkeys(found))


def all_words(column: str, phrase: str) -> models.Q:
    """Every word of `phrase` somewhere in the folded `column` (an alias of Folded)."""
    match = models.Q()
    for word in phrase.split():
        match &= models.Q(**{f"{column}__contains": word})
    return match


def _register_sqlite(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(FOLD_FUNCTION, 1, fold_or_none, deterministic=True)


def connect_signals() -> None:
    connection_created.connect(_register_sqlite, dispatch_uid="motcua_fold_sqlite")
