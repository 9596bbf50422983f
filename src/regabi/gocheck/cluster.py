"""Campaign batches on Dask distributed (``regabi gocheck --cluster ADDR``).

Why Dask rather than Ray: ``distributed`` is pure Python and light (a few MB, no compiled
wheel), runs a ``LocalCluster`` of worker processes in a test with no daemon to install, and
its ``Client.submit``/``as_completed`` maps one-to-one onto the campaign's batches. Ray brings
a large platform wheel and its own object store for a workload that moves a few kilobytes of
JSON per batch.

Workers *receive* the probe binaries: the client reads each binary once and ``Client.run``
installs it into every worker's cache (:func:`regabi.gotool.binaries.install_binary`); workers
need regabi and qemu-user for emulated GOARCHes, not a Go toolchain. Results come back to the
client, the only writer of the campaign database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from regabi.errors import InputError
from regabi.gotool.binaries import ProbeBinary, install_binary

__all__ = ["dask_executor"]


def _install(blobs: list[tuple[bytes, str, str]]) -> list[str]:
    return [install_binary(data, key, name.split("-", 1)[0], name.split("-", 1)[1]
                           .removesuffix(".test")) for data, key, name in blobs]


def dask_executor(address: str, binaries: Sequence[ProbeBinary]
                  ) -> tuple[Callable[[Any], Any], Callable[[list[Any]], Iterator[Any]],
                             Callable[[], None], int]:
    """(submit, as-completed, close, width) over the Dask scheduler at ``address``."""
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise InputError("--cluster needs Dask distributed: pip install 'regabi[cluster]'"
                         ) from None
    try:
        client = Client(address, timeout=30)
    except (OSError, TimeoutError, ValueError) as e:
        raise InputError(f"--cluster {address}: cannot connect: {e}") from None
    seen: dict[str, tuple[bytes, str, str]] = {}
    for b in binaries:
        seen.setdefault(b.path, (Path(b.path).read_bytes(), b.key, Path(b.path).name))
    client.run(_install, list(seen.values()))
    from regabi.gocheck.campaign import check_batch

    width = max(1, sum(client.nthreads().values()))

    def submit(task: Any) -> Any:
        return client.submit(check_batch, task, pure=False)

    def done(futs: list[Any]) -> Iterator[Any]:
        yield from as_completed(futs)

    def close() -> None:
        client.close()

    return submit, done, close, width
