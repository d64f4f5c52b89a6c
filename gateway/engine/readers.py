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
    def __init__(self, db: Database, size: int, queue_limit: int, max_extra: int = 64):
        self.db = db
        self.size = size
        self.queue_limit = queue_limit
        self._free: deque[Cursor] = deque(db.cursor(f"reader-{i}") for i in range(size))
        self._waiters: deque[asyncio.Future] = deque()
        self._mine: set[int] = {id(c) for c in self._free}
        # Streams whose client stopped reading hold their cursor without using it. While any
        # do, reads beyond them get extra cursors (up to max_extra), so `size` cursors keep
        # working: a slow client never stalls the others.
        self.stalled = 0
        self.extra = 0
        self.max_extra = max_extra

    def owns(self, cur: Cursor) -> bool:
        return id(cur) in self._mine

    def stall(self, begins: bool) -> None:
        """A stream on one of our cursors waits for a slow client (True), or goes on (False)."""
        self.stalled += 1 if begins else -1
        if begins:
            waiters, self._waiters = self._waiters, deque()
            for fut in waiters:  # let them retry: there may be room for an extra cursor now
                if not fut.done():
                    fut.set_result(None)

    def _room_for_extra(self) -> bool:
        busy = self.size + self.extra - len(self._free)
        return self.stalled > 0 and busy - self.stalled < self.size and self.extra < self.max_extra

    @property
    def waiting(self) -> int:
        return len(self._waiters)

    async def acquire(self) -> Cursor:
        while True:
            cur = await self._acquire_once()
            if cur is not None:
                return cur

    async def _acquire_once(self) -> Cursor | None:
        if self._free:
            return self._free.popleft()
        if self._room_for_extra():
            self.extra += 1
            try:
                cur = await self.db.run(self.db.cursor, f"reader-extra-{self.extra}")
            except BaseException:
                self.extra -= 1
                raise
            self._mine.add(id(cur))
            return cur
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
            if fut.done() and not fut.cancelled() and fut.result() is not None:
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
        if self.extra > 0:
            # back to `size` cursors once nobody needs the extra ones
            self.extra -= 1
            self._mine.discard(id(cur))
            cur.close()
            return
        self._free.append(cur)

    def close(self) -> None:
        for c in self._free:
            c.close()
        self._free.clear()
