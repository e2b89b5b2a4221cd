"""The control plane `/_emulator/*`: admin handlers, journal and fault interceptors, worlds, seeding, snapshots."""
