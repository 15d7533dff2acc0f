"""KPIs of Decision 766/QĐ-TTg: the facts (`facts`, `sql`), what is open at a moment
(`snapshots`) and the rules that turn figures into rates and scores (`rules`)."""
