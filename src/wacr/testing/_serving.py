"""Serving an aiohttp application on a TCP port: in the running event loop or in a thread of its own."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from types import TracebackType
from typing import TypeVar

from aiohttp import web

__all__ = ["AppServer"]

_S = TypeVar("_S", bound="AppServer")


class AppServer:
    """Serves :attr:`app` on a TCP port: in a running event loop (``async with``, :meth:`start`) or
    in a background thread (``with``, :meth:`start_in_thread`). ``path`` ends the base URL."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._runner: web.AppRunner | None = None
        self._base_url: str | None = None
        self._thread: threading.Thread | None = None
        self._thread_loop: asyncio.AbstractEventLoop | None = None

    @property
    def app(self) -> web.Application:
        """The aiohttp application to serve."""
        raise NotImplementedError

    @property
    def base_url(self) -> str:
        """``http://HOST:PORT`` and the path once started."""
        if self._base_url is None:
            raise RuntimeError("the emulator is not started: call start() first")
        return self._base_url

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listen on ``host:port`` (port 0 picks a free one); returns :attr:`base_url`."""
        if self._runner is not None:
            raise RuntimeError("the emulator is already started")
        runner = web.AppRunner(self.app, access_log=None, handle_signals=False)
        await runner.setup()
        try:
            site = web.TCPSite(runner, host, port)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        bound_port = runner.addresses[0][1]
        shown = f"[{host}]" if ":" in host else host
        self._base_url = f"http://{shown}:{bound_port}{self._path}"
        return self._base_url

    async def stop(self) -> None:
        """Stop listening (the state is kept; :meth:`start` may be called again)."""
        runner, self._runner = self._runner, None
        self._base_url = None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self: _S) -> _S:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    def start_in_thread(self, host: str = "127.0.0.1", port: int = 0, *, timeout: float = 10.0) -> str:
        """Serve from a background thread with its own event loop; returns :attr:`base_url`.

        Handy for synchronous code and for tests whose event loop must not host the server.
        The Python API stays usable from the calling thread (calls are serialised with the
        request handling).
        """
        if self._thread is not None:
            raise RuntimeError("the emulator is already running in a thread")
        loop = asyncio.new_event_loop()
        ready: concurrent.futures.Future[str] = concurrent.futures.Future()

        def serve() -> None:
            asyncio.set_event_loop(loop)
            try:
                ready.set_result(loop.run_until_complete(self.start(host, port)))
            except BaseException as exc:
                ready.set_exception(exc)
                loop.close()
                return
            loop.run_forever()
            loop.run_until_complete(self.stop())
            loop.close()

        thread = threading.Thread(target=serve, name="wacr-emulator", daemon=True)
        thread.start()
        try:
            url = ready.result(timeout)
        except BaseException:
            thread.join(timeout)
            raise
        self._thread, self._thread_loop = thread, loop
        return url

    def stop_thread(self, timeout: float = 10.0) -> None:
        """Stop the server started by :meth:`start_in_thread`."""
        thread, loop = self._thread, self._thread_loop
        self._thread = self._thread_loop = None
        if thread is None or loop is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout)

    def __enter__(self: _S) -> _S:
        self.start_in_thread()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop_thread()
