"""The legacy /v1/api chatbot surface and /v1/document files."""
