"""Chunks of parsed documents, kept in step with the search index."""
