"""The exception hierarchy: one root, :class:`RegabiError`, with one subclass per kind of failure.

Every error renders as one line (``str(err)``); the CLI prints it as ``error: <line>`` and exits
with the error's ``exit_status``: 2 for input errors (the user's to fix), 3 for
:class:`ModelError` and :class:`SolverError` (regabi's own failures).
"""

from __future__ import annotations


class RegabiError(Exception):
    """Root of every error regabi raises on purpose."""

    #: exit status the CLI uses for this error
    exit_status = 2


class InputError(RegabiError):
    """Bad user input: the message names the problem and where it is.

    Parameters
    ----------
    message : str
        What is wrong.
    source : str, optional
        The text (or file name) the position refers to.
    line, column : int, optional
        1-based position of the problem.
    """

    def __init__(
        self, message: str, *, source: str | None = None, line: int | None = None,
        column: int | None = None,
    ) -> None:
        # one line, whatever text the message quotes
        self.message = " ".join(message.splitlines()) if "\n" in message or "\r" in message \
            else message
        self.source = source
        self.line = line
        self.column = column
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = ""
        if self.line is not None:
            where = f"{self.line}:{self.column or 1}: "
            if self.source:
                where = f"{self.source}:{where}"
        elif self.source:
            where = f"{self.source}: "
        return f"{where}{self.message}"


class GoSyntaxError(InputError):
    """The Go text does not parse."""


class GoTypeError(InputError):
    """Go rejects the program (a type-checking or compile error); the message uses go/types' or
    the compiler's wording."""


class UnsupportedError(InputError):
    """Valid Go, but outside the model (type parameters, types of other packages without the Go
    toolchain, constant expressions regabi does not evaluate)."""


class InputLimitError(InputError):
    """Valid Go beyond one of regabi's documented input limits (nesting depth, constant size;
    spec/types.md SIG-5)."""


class TypeTooLargeError(InputError):
    """A type's size does not fit the target's address space (the compiler's MAXWIDTH)."""


class ArchError(RegabiError, ValueError):
    """Unknown architecture or inconsistent architecture table."""


class ModelError(RegabiError):
    """An internal inconsistency of the model (a bug in regabi, never a verdict)."""

    exit_status = 3


class SolverError(RegabiError):
    """Z3 failed in a way that is not a verdict (unknown and timeouts are verdicts)."""

    exit_status = 3
