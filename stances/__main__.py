"""`python -m stances`: the same as the `stances` command."""

import sys

from .cli import main

sys.exit(main())
