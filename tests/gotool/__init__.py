"""Shim: the Go-toolchain probe harness lives in the product as :mod:`regabi.gotool`."""

from regabi.gotool import (  # noqa: F401
    GoProbeError,
    compiler_layouts,
    go_binary,
    reflect_layouts,
    type_layouts,
)
