"""Demo data for `manage.py seed_demo`: plain Python data, seeded by dossiers.demo.seed."""
