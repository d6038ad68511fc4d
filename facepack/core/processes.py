"""Work shared out over processes, answers in the order asked."""

from __future__ import annotations

import multiprocessing
from typing import Callable, Iterable, Iterator, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def in_processes(make: Callable[[T], R], items: Iterable[T], workers: int, chunksize: int = 4) -> Iterator[R]:
    """make(item) for each item, in `workers` processes (1: here). `make` must be a module-level
    function (or a partial of one): the workers import it.

    Spawned, not forked: the parent has TensorFlow's and OpenCV's thread pools running, and a
    forked child inherits their locks in whatever state they were."""
    if workers <= 1:
        yield from map(make, items)
        return
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        yield from pool.imap(make, items, chunksize=chunksize)
