#!/usr/bin/env python3
"""Build the explainer: `python build.py [build|check|serve|new] --help`."""

import sys

from stances.cli import main

if __name__ == "__main__":
    sys.exit(main())
