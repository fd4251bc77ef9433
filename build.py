#!/usr/bin/env python3
"""Build the explainer: `python build.py [build|check|serve|new] --help`."""

import sys

if __name__ == "__main__":
    try:
        from stances.cli import main

        sys.exit(main())
    except ModuleNotFoundError as exc:  # run by a Python without the project's packages (no venv, say)
        if exc.name is None or exc.name.split(".")[0] == "stances":
            raise
        print(f"error: this Python lacks the package '{exc.name}' that stances needs: set up as the README says "
              "(python3 -m venv .venv && .venv/bin/pip install -e .), then run .venv/bin/python build.py",
              file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:  # Ctrl-C while Python was still importing: nothing had started
        print("interrupted: nothing was replaced", file=sys.stderr)
        sys.exit(130)
