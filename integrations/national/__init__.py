"""The national public service portal (Cổng Dịch vụ công quốc gia): outbound sync of every dossier
change (outbox.py, client.py), online dossiers it sends us (inbound.py), the sync rate (rates.py).
The exchange's fields are in contract.py and docs/integrations.md."""
