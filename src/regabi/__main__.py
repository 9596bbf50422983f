"""``python -m regabi`` is the ``regabi`` command."""

import sys

from regabi.cli import main

sys.exit(main())
