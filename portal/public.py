"""Public read models of the catalogue: what anyone may see of the procedures.

A dossier's public status lives with dossiers (`dossiers.public_status`); portal only wires it.
"""

from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext as _

from dossiers.models import Procedure
from dossiers.wording import processing_time_text, shortened_legal_time_text


# -- the catalogue ----------------------------------------------------------
def money_text(amount: Decimal) -> str:
    """`50.000 đồng`; `Miễn phí` for nothing."""
    if not amount:
        return _("Miễn phí")
    return _("%(amount)s đồng") % {"amount": f"{int(amount):,}".replace(",", ".")}


def procedure_card(p: Procedure) -> dict:
    """One row of the catalogue (needs `field` loaded)."""
    return {
        "code": p.national_code,
        "name": p.name,
        "field": p.field.name,
        "level": p.get_level_display(),
        "time": processing_time_text(p),
        "legal_time": shortened_legal_time_text(p),
        "fee": money_text(p.fee),
        "online_level": p.online_level,
        "online_label": p.get_online_level_display(),
    }


def procedure_page(p: Procedure) -> dict:
    """Everything the procedure page shows (needs `documents` and `lead_agency` loaded)."""
    return {
        **procedure_card(p),
        "fee_note": p.fee_note,
        "shortening_decision": p.shortening_decision,
        "lead_agency": p.lead_agency,
        "result": p.result_name,
        "result_type": p.get_result_type_display(),
        "legal_basis": p.legal_basis,
        "online_url": p.online_url if p.online_level != Procedure.OnlineLevel.NONE else "",
        "documents": [
            {
                "name": d.name,
                "copy_kind": d.get_copy_kind_display(),
                "count": d.count,
                "is_mandatory": d.is_mandatory,
                "form_url": reverse("blank-form", args=[p.national_code, d.position]) if d.blank_form else "",
            }
            for d in p.documents.all()
        ],
    }
