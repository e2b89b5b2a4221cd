"""The state layer: the tenant backend over the family stores; the app's journal, fault rules, answers (no HTTP)."""
