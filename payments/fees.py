"""What a dossier owes: the amount a payment asks for (Law on Fees and Charges 2015)."""

from decimal import Decimal


def fee_due(dossier) -> Decimal:
    """The fee recorded on the dossier at reception (`Dossier.fee`, đồng): the procedure's list
    price less any exemption or reduction (dossiers.services.fees).

    The one place that decides the amount: a payment copies it when it starts, so a later change
    of the catalogue or of the dossier never changes what was asked or paid.
    """
    return dossier.fee or Decimal(0)
