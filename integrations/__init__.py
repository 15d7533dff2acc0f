"""Systems a province connects to (issue 15): the national public service portal's sync first.

Depends on `dossiers`, never the reverse (docs/adr/0006-national-portal-sync.md).
"""


def sync_rate(unit_ids, start, end):
    """Per unit, the share of its dossiers' changes in [start, end) the national portal has
    acknowledged (Decision 766 §1.4 scores only synced data). See `national.rates.sync_rate`."""
    from .national.rates import sync_rate as rate

    return rate(unit_ids=unit_ids, start=start, end=end)
