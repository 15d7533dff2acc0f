"""How the dossiers' rows reach the database: the storage behind the services.

`insert.dossier_insert` writes a new dossier with everything it starts with; `numbering` gives
it its daily number; `bulk` and `prepared` are the PostgreSQL statements underneath. The rules
(who may receive, what the due time is) stay in `services`; nothing here decides them.
"""
