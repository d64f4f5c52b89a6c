"""Reader pool: a fixed number of DuckDB cursors for autocommit reads.

A read waits for a free cursor; past `reader_queue` waiting reads, new ones fail at once with
53300 rather than piling up without bound.
"""

from __future__ import annotations

import asyncio
from collections import deque

from ..errors import PgError
from .database import Cursor, Database


class ReaderPool:
    def __init__(self, db: Database, size: int, queue_limit: int):
        self.db = db
        self.size = size
        self.queue_limit = queue_limit
        self._free: deque[Cursor] = deque(db.cursor(f"reader-{i}") for i in range(size))
        self._waiters: deque[asyncio.Future] = deque()

    @property
    def waiting(self) -> int:
        return len(self._waiters)

    async def acquire(self) -> Cursor:
        if self._free:
            return self._free.popleft()
        if len(self._waiters) >= self.queue_limit:
            raise PgError(
                "53300",
                "too many queued reads",
                hint="The gateway's reader pool is saturated; retry, or raise 'readers'/'reader_queue'.",
            )
        fut = asyncio.get_running_loop().create_future()
        self._waiters.append(fut)
        try:
            return await fut
        except asyncio.CancelledError:
            if fut.done() and not fut.cancelled():
                self.release(fut.result())
            else:
                try:
                    self._waiters.remove(fut)
                except ValueError:
                    pass
            raise

    def release(self, cur: Cursor) -> None:
        while self._waiters:
            fut = self._waiters.popleft()
            if not fut.done():
                fut.set_result(cur)
                return
        self._free.append(cur)

    def close(self) -> None:
        for c in self._free:
            c.close()
        self._free.clear()
