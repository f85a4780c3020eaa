"""Real-browser tests: pytest-playwright driving Debian's Chromium against live_server.

Playwright's own browser download cannot work on this network; we point Playwright at
/usr/bin/chromium instead (installed by `make test` / .ci/run)."""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

# Playwright's sync API runs an event loop in the test thread; the test's own ORM
# calls (fixtures, assertions) are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make test`, which installs it.")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


class AsgiServer(str):
    """The base URL of the `asgi_server` fixture (a str), which can also cut sockets."""

    def __new__(cls, url: str, server, loop):
        self = super().__new__(cls, url)
        self._server = server
        self._loop = loop
        return self

    def drop_websockets(self, *, cookie: str = "") -> int:
        """Abort the TCP connection of every open websocket (only those whose Cookie
        header contains `cookie`, if given), as a lost network does: no close frame.
        Returns how many were cut."""
        import asyncio

        async def drop() -> int:
            cut = 0
            for protocol in list(self._server.server_state.connections):
                scope = getattr(protocol, "scope", None)
                transport = getattr(protocol, "transport", None)
                if not (scope and scope.get("type") == "websocket" and transport):
                    continue
                cookies = b";".join(value for name, value in scope["headers"] if name == b"cookie")
                if cookie.encode() in cookies and not transport.is_closing():
                    transport.abort()
                    cut += 1
            return cut

        return asyncio.run_coroutine_threadsafe(drop(), self._loop).result(timeout=10)


@pytest.fixture
def asgi_server(transactional_db, monkeypatch):
    """The whole ASGI application (HTTP, /static/ and the /ws/live/ websocket) served by
    uvicorn in a thread of the test process, for pages that need websockets (Django's
    live_server is WSGI). Same process: the same test database and the same in-memory
    channel layer. Yields an AsgiServer: the base URL, e.g. "http://127.0.0.1:43123",
    with drop_websockets().

    On SQLite's in-memory test database (a shared-cache database: a table being written
    is locked for every other connection at once, without waiting), the server does all
    its synchronous work (views, the consumer's queries) in ONE thread instead of one per
    request, and the test's own connection reads without table locks; on PostgreSQL the
    server runs as in production."""
    import asyncio
    import contextlib
    import socket
    import threading
    import time

    import django.core.handlers.asgi
    import uvicorn
    from channels.layers import channel_layers
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
    from django.db import connection

    from community.asgi import application

    shared_cache_sqlite = connection.vendor == "sqlite" and connection.is_in_memory_db()
    if shared_cache_sqlite:
        # Without a per-request context, asgiref runs every thread-sensitive call in
        # its single shared thread: one server connection, no lock between requests.
        monkeypatch.setattr(
            django.core.handlers.asgi, "ThreadSensitiveContext", contextlib.nullcontext
        )
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA read_uncommitted = 1")
    # A layer of this server only: the in-memory layer binds its queues to one loop.
    channel_layers.backends.clear()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(
        ASGIStaticFilesHandler(application),
        host="127.0.0.1",
        port=port,
        lifespan="off",
        ws="websockets-sansio",
        log_level="warning",
        timeout_graceful_shutdown=5,
    )
    server = uvicorn.Server(config)
    loops = []

    async def serve():
        loops.append(asyncio.get_running_loop())
        await server.serve(sockets=[listener])

    thread = threading.Thread(target=asyncio.run, args=(serve(),), name="asgi-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            pytest.fail("The ASGI test server did not start.")
        time.sleep(0.02)
    try:
        yield AsgiServer(f"http://127.0.0.1:{port}", server, loops[0])
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        listener.close()
        channel_layers.backends.clear()
        if shared_cache_sqlite:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA read_uncommitted = 0")
