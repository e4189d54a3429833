"""`python -m contract_tests`: the same as `kling-contract`."""

from .cli import main

raise SystemExit(main())
