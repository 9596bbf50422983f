"""``python -m regabi`` is the ``regabi`` command."""

from regabi.cli import entry

entry()
