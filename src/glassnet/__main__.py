"""`python -m glassnet`: the glassnet command, the same as the `glassnet` script."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
