#!/usr/bin/env python3
"""Set up, serve and test backflush_mrp: ./dev.py run | test | lint | selftest."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "tools"))

from devtools.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
