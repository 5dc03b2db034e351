"""``python -m riskeval.cli``: the command line, as the installed ``riskeval`` script runs it."""

import sys

from riskeval.cli import main

if __name__ == "__main__":  # not when a doctest run imports it
    sys.exit(main())
