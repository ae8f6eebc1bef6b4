"""`python3 -m tools.services COMMAND`: the service manager (services.py)."""

import sys

from .services import main

sys.exit(main(sys.argv))
