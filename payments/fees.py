"""What a dossier owes: the amount a payment asks for (Law on Fees and Charges 2015)."""

from decimal import Decimal


def fee_due(dossier) -> Decimal:
    """The fee of the dossier's procedure from the catalogue (`Procedure.fee`, đồng).

    The one place that decides the amount: a payment copies it when it starts, so a later change
    of the catalogue never changes what was asked or paid. Exemptions are not recorded on
    dossiers in this version; the dossier's own fee and exemption belong here when they are.
    """
    return dossier.procedure.fee or Decimal(0)
