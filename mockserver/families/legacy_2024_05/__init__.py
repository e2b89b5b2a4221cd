"""Profile 2024-05-legacy: the v0.7.0 chat-bot API under `/v1/api` (retcode/retmsg), over the shared state."""
