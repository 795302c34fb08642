"""`python -m trainer.config [--check] [PATH]`: write (or check) the option reference in docs/training.md."""

from .reference import main

raise SystemExit(main())
