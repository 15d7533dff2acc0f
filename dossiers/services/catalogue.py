"""The procedure catalogue: its version, the intake bundle cached by it, bulk changes (imports)."""

import copy
from collections.abc import Sequence
from typing import TypeVar

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from ..calendar_store import Versions
from ..models import Procedure, ReferenceVersion, RequiredDocument, RoutingStep, Unit

# What a receipt reads of the catalogue: a procedure with its lead agency, documents and steps (with
# their units). Every change of these models bumps the catalogue version in its own transaction.
CATALOGUE_MODELS = (Procedure, RequiredDocument, RoutingStep, Unit)

_INTAKE: dict[tuple[str, int, str], Procedure] = {}
_INTAKE_SIZE = 256


def catalogue_changed() -> None:
    """Bump the catalogue version (counter and token), in the caller's transaction: per-process
    caches keyed by the version stop being used once the change commits. Called by the models'
    save/delete signals, and by every bulk write of them (which sends none) right after it:
    `procedure_details_replace`, the catalogue import, the demo data."""
    ReferenceVersion.objects.bump("catalogue", "catalogue_token")


def _on_change(sender, raw=False, **kwargs) -> None:
    # Not for fixtures (raw): a load may bring the version row itself; run catalogue_changed() after one.
    if not raw:
        catalogue_changed()


def connect_signals() -> None:
    for model in CATALOGUE_MODELS:
        post_save.connect(_on_change, sender=model, dispatch_uid=f"catalogue_changed_save_{model.__name__}")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"catalogue_changed_delete_{model.__name__}")


def procedure_for_intake(code: str, *, versions: Versions) -> Procedure:
    """`Procedure.objects.for_intake().get(national_code=code)`, from a per-process cache keyed by
    the catalogue version `versions` were read with (read them before calling: a bundle loaded
    after the version read can only be newer than its key, never older).

    Returns a copy of the cached instance; its related rows (lead agency, documents, steps) are
    shared and must be treated as read-only. Raises Procedure.DoesNotExist (not cached).
    """
    number, token = versions.catalogue
    if not token:  # no version row: nothing to key a cache on
        return Procedure.objects.for_intake().get(national_code=code)
    key = (code, number, token)
    procedure = _INTAKE.get(key)
    if procedure is None:
        procedure = Procedure.objects.for_intake().get(national_code=code)
        if len(_INTAKE) >= _INTAKE_SIZE:
            _INTAKE.clear()
        _INTAKE[key] = procedure
    return copy.copy(procedure)


# (procedure, its documents or None to keep them, its steps or None to keep them)
ProcedureDetails = tuple[Procedure, Sequence[RequiredDocument] | None, Sequence[RoutingStep] | None]

DOCUMENT_FIELDS = ["name", "copy_kind", "count", "is_mandatory"]
STEP_FIELDS = ["name", "role", "unit", "budget_hours"]


@transaction.atomic
def procedure_details_replace(*, details: Sequence[ProcedureDetails], batch_size: int = 1000) -> int:
    """Make saved procedures' documents and routing steps exactly the given lists.

    Positions follow the order given (1, 2, …). A row keeps its id when its position
    survives, so dossier documents stay linked to the required document they answer.
    Returns how many rows were written.
    """
    documents = {procedure: docs for procedure, docs, _steps in details if docs is not None}
    steps = {procedure: steps for procedure, _docs, steps in details if steps is not None}
    written = _replace(RequiredDocument, documents, DOCUMENT_FIELDS, batch_size)
    written += _replace(RoutingStep, steps, STEP_FIELDS, batch_size)
    if written:
        catalogue_changed()  # bulk writes send no signal
    return written


# A procedure's positioned rows: its required documents or its routing steps.
_Row = TypeVar("_Row", RequiredDocument, RoutingStep)


def _replace(model: type[_Row], wanted: dict[Procedure, Sequence[_Row]], fields: list[str], batch_size: int) -> int:
    existing = {
        (row.procedure_id, row.position): row.pk
        for row in model.objects.filter(procedure__in=list(wanted)).only("pk", "procedure_id", "position")
    }
    to_create: list[_Row] = []
    to_update: list[_Row] = []
    for procedure, rows in wanted.items():
        for position, row in enumerate(rows, 1):
            row.procedure, row.position = procedure, position
            row.pk = existing.pop((procedure.pk, position), None)
            (to_create if row.pk is None else to_update).append(row)
    model.objects.filter(pk__in=existing.values()).delete()
    model.objects.bulk_update(to_update, fields, batch_size=batch_size)
    model.objects.bulk_create(to_create, batch_size=batch_size)
    return len(to_create) + len(to_update)
