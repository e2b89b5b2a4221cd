"""The state layer: the tenant backend composing the family stores, and the app's journal, fault rules and answers (no HTTP)."""
