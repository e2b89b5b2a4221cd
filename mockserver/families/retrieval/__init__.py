"""Retrieval: the shared search service and its two HTTP routes."""
