"""A fault-injecting HTTP proxy for the device's side of sync, driven by a seeded random.

Every request from a device passes through it on its way to the real server over loopback.
It drops requests, loses answers after the server has acted on them, sends a request twice,
delays, cuts an answer off part way through its body, or kills the server process while it
is handling the request (and starts it again).
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable

import httpx

FAULTS: tuple[tuple[str, float], ...] = (
    ("none", 0.50),
    ("drop_request", 0.10),
    ("drop_response", 0.10),
    ("duplicate", 0.10),
    ("delay", 0.10),
    ("cut_body", 0.08),
    ("kill_server", 0.02),
)


class FaultProxy(httpx.BaseTransport):
    """Forwards to the server, misbehaving as the seeded random says."""

    def __init__(
        self,
        rng: random.Random,
        restart_server: Callable[[], None],
        kill_server: Callable[[], None],
        stats: Counter[str],
    ) -> None:
        self._rng = rng
        self._inner = httpx.HTTPTransport()
        self._restart = restart_server
        self._kill = kill_server
        self.stats = stats
        self.enabled = True

    def close(self) -> None:
        self._inner.close()

    def _forward(self, request: httpx.Request) -> httpx.Response:
        response = self._inner.handle_request(request)
        response.read()
        return response

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        if not self.enabled:
            return self._forward(request)
        names, weights = zip(*FAULTS, strict=True)
        fault = self._rng.choices(names, weights)[0]
        self.stats[fault] += 1
        if fault == "drop_request":
            raise httpx.ConnectError("dropped by the fault proxy", request=request)
        if fault == "delay":
            time.sleep(self._rng.uniform(0.0, 0.03))
        if fault == "kill_server":
            return self._kill_during(request)
        response = self._forward(request)
        if fault == "duplicate":
            # The same bytes reach the server a second time; the device sees the second answer.
            response = self._forward(request)
        if fault == "drop_response":
            raise httpx.ReadError("answer lost by the fault proxy", request=request)
        if fault == "cut_body":
            body = response.content
            return httpx.Response(
                response.status_code,
                headers={"content-type": response.headers.get("content-type", "")},
                content=body[: len(body) // 2],
                request=request,
            )
        return response

    def _kill_during(self, request: httpx.Request) -> httpx.Response:
        timer = threading.Timer(self._rng.uniform(0.0, 0.02), self._kill)
        timer.start()
        try:
            self._forward(request)
        except httpx.HTTPError:
            pass
        finally:
            timer.join()
            self._restart()
        raise httpx.ReadError("the server died while answering", request=request)
