"""Feedback services: the one write path for ratings and petitions."""
