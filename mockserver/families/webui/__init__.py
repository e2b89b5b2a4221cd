"""The web-UI API (`/v1/kb`, `/v1/document`, `/v1/chunk`, `/v1/dialog`, `/v1/conversation`, …) over the same stores."""
