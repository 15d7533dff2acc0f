"""Changing the procedure catalogue in bulk (imports)."""

from collections.abc import Sequence

from django.db import models, transaction

from ..models import Procedure, RequiredDocument, RoutingStep

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
    return _replace(RequiredDocument, documents, DOCUMENT_FIELDS, batch_size) + _replace(
        RoutingStep, steps, STEP_FIELDS, batch_size
    )


def _replace(model: type[models.Model], wanted: dict, fields: list[str], batch_size: int) -> int:
    existing = {
        (row.procedure_id, row.position): row.pk
        for row in model.objects.filter(procedure__in=list(wanted)).only("pk", "procedure_id", "position")
    }
    to_create, to_update = [], []
    for procedure, rows in wanted.items():
        for position, row in enumerate(rows, 1):
            row.procedure, row.position = procedure, position
            row.pk = existing.pop((procedure.pk, position), None)
            (to_create if row.pk is None else to_update).append(row)
    model.objects.filter(pk__in=existing.values()).delete()
    model.objects.bulk_update(to_update, fields, batch_size=batch_size)
    model.objects.bulk_create(to_create, batch_size=batch_size)
    return len(to_create) + len(to_update)
