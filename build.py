#!/usr/bin/env python3
"""Build the explainer: `python build.py [build|check|serve|new] --help`."""

import sys

if __name__ == "__main__":
    try:
        from stances.cli import main

        sys.exit(main())
    except KeyboardInterrupt:  # Ctrl-C while Python was still importing: nothing had started
        print("interrupted: nothing was replaced", file=sys.stderr)
        sys.exit(130)
