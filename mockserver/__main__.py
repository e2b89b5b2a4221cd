"""`python -m mockserver`: the `ragflow-mock` command line."""

from mockserver.cli import main

raise SystemExit(main())
