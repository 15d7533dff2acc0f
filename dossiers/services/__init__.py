"""The write paths of the dossiers app: one named service per domain action."""
