"""Datasets (knowledge bases)."""
