"""One generation at a time per GPU, with a bounded number of requests waiting behind it.

Jobs run on a single worker thread in arrival order. ``submit`` refuses at once (``QueueFull``,
answered as HTTP 429 with Retry-After) when the running job plus the waiting ones fill the capacity.
A slot is freed when the job's thread really finishes, so a client that leaves never lets two
generations overlap on the GPU.
"""
from __future__ import annotations

import asyncio
import math
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable


class QueueFull(Exception):
    def __init__(self, retry_after: int, capacity: int) -> None:
        super().__init__(f"the server is busy: {capacity} requests are already running or waiting")
        self.retry_after = retry_after
        self.capacity = capacity


class GenerationQueue:
    def __init__(self, max_waiting: int = 8, first_estimate_s: float = 10.0) -> None:
        if max_waiting < 0:
            raise ValueError("max_waiting must be >= 0")
        self.max_waiting = max_waiting
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="generate")
        self._lock = threading.Lock()
        self._admitted = 0   # running + waiting
        self._running = 0
        self._avg_s = first_estimate_s
        self._done_count = 0

    @property
    def capacity(self) -> int:
        return 1 + self.max_waiting

    def stats(self) -> dict:
        with self._lock:
            return {"running": self._running, "waiting": self._admitted - self._running,
                    "capacity": self.capacity, "completed": self._done_count,
                    "avg_generation_s": round(self._avg_s, 3)}

    def retry_after(self) -> int:
        with self._lock:
            return max(1, math.ceil(self._avg_s * max(1, self._admitted - self._running + 1)))

    def check_room(self) -> None:
        """Raises QueueFull now, before a request spends work (decoding images) on a place it won't get."""
        with self._lock:
            full = self._admitted >= self.capacity
        if full:
            raise QueueFull(self.retry_after(), self.capacity)

    def submit(self, fn: Callable[[], Any]) -> "asyncio.Future[Any]":
        with self._lock:
            full = self._admitted >= self.capacity
            if not full:
                self._admitted += 1
        if full:
            raise QueueFull(self.retry_after(), self.capacity)
        cf = self._executor.submit(self._run, fn)
        cf.add_done_callback(self._release)
        return asyncio.wrap_future(cf)

    def _run(self, fn: Callable[[], Any]) -> Any:
        with self._lock:
            self._running += 1
        t0 = time.monotonic()
        try:
            return fn()
        finally:
            took = time.monotonic() - t0
            with self._lock:
                self._running -= 1
                self._done_count += 1
                self._avg_s = took if self._done_count == 1 else 0.8 * self._avg_s + 0.2 * took

    def _release(self, _cf) -> None:
        with self._lock:
            self._admitted -= 1

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
