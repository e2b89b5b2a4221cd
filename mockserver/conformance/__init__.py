"""Conformance engine: envelope-aware checks, runner, reports and live-target safety (`ragflow-mock conformance`)."""
