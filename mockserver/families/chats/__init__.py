"""Chat assistants, their sessions, completions and the answer engine."""
