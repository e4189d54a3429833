"""`python -m kling_contract`: the same as `kling-contract`."""

from .cli import main

raise SystemExit(main())
