"""Agents: canvas DSL, executor, agent sessions and completions."""
