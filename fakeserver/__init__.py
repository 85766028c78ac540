"""What the shop's fake servers share: the HTTP side of isipay/sandbox, payments/tripay/fake.py
and notifications/fakes, each of which only says how it answers a request.

- `Served`: a fake's lifecycle: start() in a daemon thread, serve_forever() in this one, stop(),
  `with`, and `url` (port 0 picks a free port, kept across a restart).
- `Server`: a threaded HTTP server that stop() never waits on and that binds without a reverse
  DNS lookup; `Handler`: one request per connection, a body read and an answer written.

Framework-free (no Django): isipay/ uses it, and nothing in isipay/ may import Django. Shipped in
the image (the compose sandbox runs it), so it does not live in devtools/.
"""

import socket
import socketserver
import sys
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


class Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # stop() must not wait for a request sleeping in a slow fault

    def __init__(self, fake: "Served") -> None:
        self.fake = fake
        if ":" in fake.host:
            self.address_family = socket.AF_INET6
        super().__init__((fake.host, fake.port), fake.handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind does a reverse DNS lookup (getfqdn) that can stall for seconds.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]


class Handler(BaseHTTPRequestHandler):
    server: Server
    protocol_version = "HTTP/1.0"  # one request per connection: a drop never hits a reused one
    timeout = 30  # a client stalled mid-request does not hold a thread forever

    def read_body(self) -> bytes:
        """The request body (ValueError: a Content-Length that is not a number)."""
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def answer(
        self, status: int, content_type: str, body: bytes, *, location: str | None = None
    ) -> None:
        self.send_response(status)
        if location is not None:
            self.send_header("Location", location)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        fake = self.server.fake
        if not fake.quiet:
            sys.stderr.write(f"{fake.label} {self.client_address[0]} {format % args}\n")


class Served:
    """A fake server's lifecycle. A subclass has `host` and `port` and names its `handler`
    (whose requests reach the fake as `self.server.fake`)."""

    label = "fake-server"  # thread names and log lines
    what = "the fake server"  # error messages
    handler: type[Handler]
    server_class: type[Server] = Server
    quiet = True  # no log line per request
    host: str
    port: int
    _httpd: Server | None = None
    _thread: threading.Thread | None = None

    def start(self) -> Self:
        """Serve in a daemon thread; port 0 picks a free port (see `url`)."""
        httpd = self._bind()
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},  # so that stop() returns quickly
            name=f"{self.label}:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def serve_forever(self, ready: Callable[[str], None] | None = None) -> None:
        """Serve in the calling thread until KeyboardInterrupt (or stop() from another one).

        `ready` is called with the URL once the port is bound (useful with port 0).
        """
        httpd = self._bind()
        if ready is not None:
            ready(self.url)
        try:
            httpd.serve_forever(poll_interval=0.2)
        finally:
            httpd.server_close()
            if self._httpd is httpd:
                self._httpd = None

    def stop(self) -> None:
        httpd, thread = self._httpd, self._thread
        self._httpd = self._thread = None
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self if self._httpd else self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def _bind(self) -> Server:
        if self._httpd is not None:
            raise RuntimeError(f"{self.what} is already running")
        self._httpd = self.server_class(self)
        self.port = self._httpd.server_address[1]  # a restart after stop() keeps this port
        return self._httpd

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError(f"{self.what} is not running: call start() first")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"
