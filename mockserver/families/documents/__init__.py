"""Documents: upload, storage, parse lifecycle, download."""
