"""The HTTP layer: envelopes, error rendering, auth, the request context, spec routing, streaming, the docs page."""
