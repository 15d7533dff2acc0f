-- Monthly partitioning of dossiers and events, as bench/bench_plans.py tries it (docs/scaling.md).
-- The parents; bench_plans.py adds one partition per local month (UTC+7) plus a default, a
-- UNIQUE (code) index on each dossier partition, then loads the rows of the real tables.
-- A migration would run the same statements with RunSQL (the models stay as they are).

-- Dossiers by submitted_at: never NULL, never changes, and the code's YYMMDD is its local
-- date, so equal codes always fall in the same month and UNIQUE (code) per partition is
-- unique overall. (received_at is NULL until reception: it cannot be in the primary key.)
CREATE TABLE p_dossier (LIKE dossiers_dossier INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
    PARTITION BY RANGE (submitted_at);
ALTER TABLE p_dossier ADD PRIMARY KEY (id, submitted_at);
CREATE INDEX p_dossier_queue_idx ON p_dossier (current_unit_id, status, due_at);
CREATE INDEX p_dossier_open_due_idx ON p_dossier (due_at) WHERE status IN (1, 2, 4, 5, 6);
CREATE INDEX p_dossier_register_idx ON p_dossier (received_at, id);
CREATE INDEX p_dossier_id_number_idx ON p_dossier (applicant_id_number);

-- Events by effective_at: append-only, so old months never change and can be detached.
CREATE TABLE p_event (LIKE dossiers_dossierevent INCLUDING DEFAULTS) PARTITION BY RANGE (effective_at);
ALTER TABLE p_event ADD PRIMARY KEY (id, effective_at);
CREATE INDEX p_event_dossier_idx ON p_event (dossier_id, effective_at);
