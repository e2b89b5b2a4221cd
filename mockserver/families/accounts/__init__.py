"""Accounts: users, login tokens, tenant models, API keys, the model catalog."""
