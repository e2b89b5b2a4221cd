"""The package version (one source: the package face, the CLI and the control plane read it from here)."""

__version__ = "0.1.0"
