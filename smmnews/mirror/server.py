"""A threaded HTTP/1.1 server that answers for a site, injects its faults and counts hits."""

from __future__ import annotations

import contextlib
import json
import socket
import socketserver
import struct
import sys
import threading
import time
from collections import Counter, defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

from smmnews.mirror.faults import Reply, plain, reply_for
from smmnews.mirror.site import JSON, Page, Site, route_key

HITS_PATH = "/__hits__"
_Request = socket.socket | tuple[bytes, socket.socket]


class MirrorServer:
    """Serves `site` on `host:port` (0: any free port) from a background thread."""

    def __init__(
        self, site: Site, host: str = "127.0.0.1", port: int = 0, verbose: bool = False
    ) -> None:
        self.site = site
        self.url = ""
        self.verbose = verbose
        # Request path as received (before the query) -> count; read it, or GET /__hits__.
        self.hits: Counter[str] = Counter()
        # When each request arrived (time.monotonic()), per path: for waits a test checks.
        self.times: defaultdict[str, list[float]] = defaultdict(list)
        self.stopping = threading.Event()
        self._attempts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._address = (host, port)
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> str:
        """Start serving; return the base URL `http://127.0.0.1:PORT/`."""
        if self._httpd is None:
            self.stopping.clear()
            self._httpd = _HTTPServer(self._address, self)
            host, port = self._httpd.server_address[:2]
            self.url = f"http://{host!s}:{port}/"
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, args=(0.1,), name="mirror", daemon=True
            )
            self._thread.start()
        return self.url

    def stop(self) -> None:
        """Stop serving and close open connections (waking requests that are sleeping)."""
        if self._httpd is None:
            return
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.close_connections()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join()
        self._httpd = self._thread = None

    def __enter__(self) -> MirrorServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def record(self, path: str, key: str) -> int:
        """Count a request; return how many times `key` was asked for so far, this one included."""
        with self._lock:
            self.hits[path] += 1
            self.times[path].append(time.monotonic())
            self._attempts[key] += 1
            return self._attempts[key]

    def hits_json(self) -> bytes:
        with self._lock:
            counts = dict(self.hits)
        return json.dumps(counts, ensure_ascii=False, sort_keys=True).encode()


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], mirror: MirrorServer) -> None:
        self.mirror = mirror
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind resolves the host name (getfqdn), which can stall for seconds
        # on machines without DNS; the mirror never needs the name.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def process_request(self, request: _Request, client_address: object) -> None:
        if isinstance(request, socket.socket):
            with self._open_lock:
                self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: _Request) -> None:
        if isinstance(request, socket.socket):
            with self._open_lock:
                self._open.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        with self._open_lock:
            for sock in self._open:
                with contextlib.suppress(OSError):  # already closed by its client
                    sock.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: _Request, client_address: object) -> None:
        # Clients hanging up on slow, huge or truncated pages is what those pages are for.
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "smmnews-mirror/1.0"
    sys_version = ""
    timeout = 30  # drop idle keep-alive connections
    # Headers and body go out in separate writes; with Nagle on, a keep-alive client's delayed
    # ACK stalls every response by 40 ms (23 requests/s instead of hundreds).
    disable_nagle_algorithm = True
    server: _HTTPServer

    def do_GET(self) -> None:
        self._answer(with_body=True)

    def do_HEAD(self) -> None:
        self._answer(with_body=False)

    def log_message(self, format: str, *args: object) -> None:
        if self.server.mirror.verbose:
            super().log_message(format, *args)

    def _answer(self, with_body: bool) -> None:
        mirror = self.server.mirror
        path = self.path.split("?", 1)[0]
        if path == HITS_PATH:
            self._write(plain(Page(body=mirror.hits_json(), content_type=JSON)), with_body)
            return
        key = route_key(path)
        attempt = mirror.record(path, key)
        host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
        base = f"http://{host}"
        self._write(reply_for(mirror.site.page(key, base), key, attempt, base), with_body)

    def _write(self, reply: Reply, with_body: bool) -> None:
        if reply.delay and self.server.mirror.stopping.wait(reply.delay):
            self.close_connection = True
            return
        if reply.reset:
            self._reset()
            return
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(reply.length))
        if reply.location:
            self.send_header("Location", reply.location)
        if reply.content_encoding:
            self.send_header("Content-Encoding", reply.content_encoding)
        if reply.retry_after:
            self.send_header("Retry-After", reply.retry_after)
        if reply.send_limit is not None:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if with_body:
            self._write_body(reply)

    def _write_body(self, reply: Reply) -> None:
        left = reply.length if reply.send_limit is None else reply.send_limit
        for chunk in reply.chunks:
            if left <= 0:
                break
            self.wfile.write(chunk[:left])
            left -= len(chunk)

    def _reset(self) -> None:
        # Linger 0 makes close() send an RST instead of a FIN: a connection reset by peer.
        self.close_connection = True
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.rfile.close()  # the read buffer holds a reference that would delay the close
        self.connection.close()
