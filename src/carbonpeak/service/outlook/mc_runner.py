"""Where a Monte Carlo ensemble runs: the service's runner, not the engine (issue 11).

The engine (:func:`carbonpeak.scenarios.montecarlo.run_montecarlo`) cuts the ensemble into
chunks and takes a *mapper* that runs them; this module builds that mapper from the
scheduler a user names and owns every Dask connection:

* ``None`` / ``"numpy"`` — in this process, one chunk after the other (the engine's default);
* ``"threads"`` — Dask's local threaded scheduler (nothing to start);
* ``"local"`` — an in-process ``distributed.LocalCluster``, started and stopped per run;
* ``"tcp://host:port"`` / ``"tls://…"`` — a running Dask scheduler; one that does not answer
  within ``connect_timeout`` seconds is an :class:`~carbonpeak.errors.InputError`
  (``mc_scheduler_unreachable``), a malformed address one too (``mc_scheduler_address``).

The chunks, their seeds and their order do not depend on the mapper: the result is the same,
bit for bit, wherever it ran.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from typing import Any

from carbonpeak.errors import InputError, Problem
from carbonpeak.scenarios.montecarlo import ChunkMapper, Progress

__all__ = ["DEFAULT_CONNECT_TIMEOUT", "check_scheduler", "mapper_for"]

#: Seconds to wait for a ``tcp://`` scheduler [s].
DEFAULT_CONNECT_TIMEOUT = 10.0
_ADDRESS = re.compile(r"^(tcp|tls)://(\[[0-9A-Fa-f:.]+\]|[^\s:/\[\]]+):\d{1,5}$")


def check_scheduler(scheduler: str | None, connect_timeout: float = DEFAULT_CONNECT_TIMEOUT) -> list[Problem]:
    """The problems of a scheduler name and timeout (empty when both are good)."""
    problems: list[Problem] = []
    if scheduler not in (None, "numpy", "local", "threads") and not _ADDRESS.match(str(scheduler)):
        problems.append(Problem("mc_scheduler_address", column="scheduler", value=scheduler))
    if not (math.isfinite(connect_timeout) and connect_timeout > 0):
        problems.append(Problem("must_be_positive", column="connect_timeout", value=connect_timeout))
    return problems


def mapper_for(scheduler: str | None, connect_timeout: float = DEFAULT_CONNECT_TIMEOUT) -> ChunkMapper | None:
    """The mapper that runs the engine's chunks on *scheduler* (None: in this process).

    Raises
    ------
    InputError
        A malformed scheduler or a non-positive timeout (checked here, before any work).
    """
    problems = check_scheduler(scheduler, connect_timeout)
    if problems:
        raise InputError(problems)
    if scheduler in (None, "numpy"):
        return None
    if scheduler == "threads":
        return _threaded
    address = str(scheduler)

    def on_cluster(
        fn: Callable[..., tuple[Any, ...]],
        shared: tuple[Any, ...],
        chunks: Sequence[tuple[Any, ...]],
        progress: Progress | None,
    ) -> list[tuple[Any, ...]]:
        return _distributed(address, connect_timeout, fn, shared, chunks, progress)

    return on_cluster


def _threaded(
    fn: Callable[..., tuple[Any, ...]],
    shared: tuple[Any, ...],
    chunks: Sequence[tuple[Any, ...]],
    progress: Progress | None,
) -> list[tuple[Any, ...]]:
    """The chunks on Dask's local threaded scheduler (no cluster to start)."""
    from dask.base import compute  # noqa: PLC0415 — only a Dask run needs it
    from dask.callbacks import Callback  # noqa: PLC0415
    from dask.delayed import delayed  # noqa: PLC0415

    tasks = [delayed(fn, pure=False)(*shared, *c) for c in chunks]
    keys = {t.key for t in tasks}
    done = [0]

    def posttask(key: object, *_: object) -> None:
        if key in keys and progress is not None:
            done[0] += 1
            progress(done[0], len(tasks))

    with Callback(posttask=posttask):  # type: ignore[no-untyped-call]
        results = compute(*tasks, scheduler="threads")  # type: ignore[no-untyped-call]
    return [tuple(r) for r in results]


def _distributed(
    scheduler: str,
    connect_timeout: float,
    fn: Callable[..., tuple[Any, ...]],
    shared: tuple[Any, ...],
    chunks: Sequence[tuple[Any, ...]],
    progress: Progress | None,
) -> list[tuple[Any, ...]]:
    """The chunks as tasks on a ``distributed`` client: a ``LocalCluster`` started for the run
    (``"local"``) or a running scheduler by address; the shared inputs sent once."""
    # imported here: only a Dask run needs them; distributed's API is untyped (hence the ignores)
    from dask.delayed import delayed  # noqa: PLC0415
    from distributed import Client, LocalCluster, as_completed  # noqa: PLC0415

    cluster = (
        LocalCluster(
            n_workers=1,
            threads_per_worker=2,
            processes=False,  # type: ignore[no-untyped-call]
            dashboard_address=None,
        )
        if scheduler == "local"
        else None
    )
    try:
        try:
            client = Client(
                cluster if cluster is not None else scheduler,  # type: ignore[no-untyped-call]
                set_as_default=False,
                timeout=connect_timeout,
            )
        except OSError as exc:  # TimeoutError included: nothing answered at the address
            raise InputError(
                [
                    Problem(
                        "mc_scheduler_unreachable",
                        column="scheduler",
                        value=scheduler,
                        fields={"timeout": f"{connect_timeout:g}", "reason": str(exc)},
                    )
                ]
            ) from exc
        try:
            shared_d = [delayed(s, pure=True) for s in shared]
            tasks = [delayed(fn, pure=True)(*shared_d, *c) for c in chunks]
            futures = client.compute(tasks)  # type: ignore[no-untyped-call]
            if progress is not None:
                for done, _ in enumerate(
                    as_completed(futures, loop=client.loop),  # type: ignore[no-untyped-call]
                    start=1,
                ):
                    progress(done, len(tasks))
            return [tuple(r) for r in client.gather(futures)]  # type: ignore[no-untyped-call]
        finally:
            client.close()  # type: ignore[no-untyped-call]
    finally:
        if cluster is not None:
            cluster.close()
