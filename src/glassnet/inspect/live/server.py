"""The live view's web server: the page, its event feed, and the training controls.

Standard library only (``http.server`` in a background thread); it binds to 127.0.0.1 by
default. Every request under ``/api/`` must carry the run's token (at least 16 random URL-safe
characters, printed in the address), so another web page or another user on the machine can
neither read the run nor drive it (403). The page itself and its scripts are static files
shipped in the package (``static/``), so it works offline.

    GET  /?token=T                   the page
    GET  /api/events?token=T&since=N the events from number N on (waits up to 1 s for news)
    POST /api/pause | resume | step | stop        (header X-Glassnet-Token: T)
    POST /api/lr  {"lr": 0.01}                    change the learning rate while it trains
"""

from __future__ import annotations

import errno
import hmac
import json
import mimetypes
import secrets
import socket
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .stream import EventStream

__all__ = ["Controls", "LiveServer", "PortInUseError", "serve_replay"]

_STATIC = resources.files(__package__).joinpath("static")


class PortInUseError(OSError):
    """The chosen port is taken by another program."""


class Controls:
    """What the page asks of the training loop: pause, single steps, stop, a new learning rate.

    The server thread sets these; the training thread reads them between batches
    (``wait_if_paused``), so training is never interrupted in the middle of a step.
    """

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self.paused = False
        self.steps_allowed = 0
        self.stop_requested = False
        self.new_lr: float | None = None

    def pause(self) -> None:
        with self._condition:
            self.paused = True
            self.steps_allowed = 0

    def resume(self) -> None:
        with self._condition:
            self.paused = False
            self._condition.notify_all()

    def step(self) -> None:
        with self._condition:
            self.paused = True
            self.steps_allowed += 1
            self._condition.notify_all()

    def stop(self) -> None:
        with self._condition:
            self.stop_requested = True
            self.paused = False
            self._condition.notify_all()

    def set_lr(self, lr: float) -> None:
        with self._condition:
            self.new_lr = lr

    def take_lr(self) -> float | None:
        with self._condition:
            lr, self.new_lr = self.new_lr, None
            return lr

    def wait_if_paused(self, on_wait: Any = None) -> None:
        """Block while paused (a single step lets one batch through); returns on stop."""
        with self._condition:
            if self.paused and self.steps_allowed > 0:
                self.steps_allowed -= 1
                return
            while self.paused and not self.stop_requested and self.steps_allowed == 0:
                if on_wait is not None:
                    on_wait()
                self._condition.wait(timeout=0.25)
            if self.paused and self.steps_allowed > 0:
                self.steps_allowed -= 1


class LiveServer:
    """Serve the live page for one EventStream on 127.0.0.1.

    Args:
        stream: the events to serve.
        controls: the training controls (None for a replay: the page shows a time slider).
        port: the port (0 picks a free one).
        host: the address to bind (127.0.0.1 unless you really mean to share it).
    """

    def __init__(
        self,
        stream: EventStream,
        controls: Controls | None = None,
        port: int = 0,
        host: str = "127.0.0.1",
    ) -> None:
        self.stream = stream
        self.controls = controls
        self.token = secrets.token_urlsafe(18)  # 24 URL-safe characters
        handler = _make_handler(self)
        try:
            self.httpd = ThreadingHTTPServer((host, port), handler)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise PortInUseError(
                    f"port {port} on {host} is already in use; choose another with --port "
                    "(or port=0 for any free one)"
                ) from None
            raise
        self.httpd.daemon_threads = True
        self.host, self.port = self.httpd.server_address[:2]
        # The serving loop looks for close()'s request between requests, or every poll
        # interval; close() wakes it with a connection of its own, so the interval can be long.
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.5,),
                                        name="glassnet-live", daemon=True)  # fmt: skip

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/?token={self.token}"

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving, in about a millisecond (waiting for the loop's next look took up to 50 ms)."""
        if self._thread.is_alive():
            stopping = threading.Thread(target=self.httpd.shutdown, daemon=True)
            stopping.start()
            while stopping.is_alive():  # until the loop has seen the request to stop
                self._wake_loop()
                stopping.join(0.01)
        self.httpd.server_close()

    def _wake_loop(self) -> None:
        """Connect once and hang up: the serving loop wakes, and then sees the stop request."""
        try:
            socket.create_connection((self.host, self.port), timeout=0.5).close()
        except OSError:
            pass  # the socket is closing: the loop will stop at its next look anyway

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


def _make_handler(server: LiveServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "glassnet-live"

        def log_message(self, *args: Any) -> None:  # keep the training output clean
            pass

        # -- helpers -----------------------------------------------------------------------
        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the page went away: never a problem for training

        def _json(self, status: int, payload: Any) -> None:
            self._send(status, json.dumps(payload).encode(), "application/json")

        def _authorised(self, query: dict) -> bool:
            given = self.headers.get("X-Glassnet-Token") or (query.get("token") or [""])[0]
            return hmac.compare_digest(given.encode(), server.token.encode())

        def _local_host(self) -> bool:
            # Refuse requests addressed to another name (DNS rebinding of a hostile page).
            host = (self.headers.get("Host") or "").rsplit(":", 1)[0].strip("[]")
            return host in ("127.0.0.1", "localhost", "::1", server.host)

        # -- routes ------------------------------------------------------------------------
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            url = urlsplit(self.path)
            query = parse_qs(url.query)
            if not self._local_host():
                return self._json(HTTPStatus.FORBIDDEN, {"error": "unexpected Host header"})
            if url.path in ("/", "/index.html"):
                if not self._authorised(query):
                    return self._send(
                        HTTPStatus.FORBIDDEN,
                        b"This live view needs the address with its token, as training printed it.",
                        "text/plain; charset=utf-8",
                    )
                return self._static("index.html")
            if url.path.startswith("/static/"):
                return self._static(url.path[len("/static/") :])
            if url.path == "/api/events":
                if not self._authorised(query):
                    return self._json(HTTPStatus.FORBIDDEN, {"error": "missing or wrong token"})
                try:
                    since = int((query.get("since") or ["0"])[0])
                except ValueError:
                    return self._json(HTTPStatus.BAD_REQUEST, {"error": "since must be a number"})
                wait = 1.0 if server.controls is not None else 0.0
                events, upto = server.stream.since(since, wait=wait)
                return self._json(
                    HTTPStatus.OK,
                    {"events": events, "next": upto, "replay": server.controls is None},
                )
            self._json(HTTPStatus.NOT_FOUND, {"error": f"no such page: {url.path}"})

        def do_POST(self) -> None:  # noqa: N802
            url = urlsplit(self.path)
            query = parse_qs(url.query)
            if not self._local_host() or not self._authorised(query):
                return self._json(HTTPStatus.FORBIDDEN, {"error": "missing or wrong token"})
            controls = server.controls
            if controls is None:
                return self._json(HTTPStatus.CONFLICT, {"error": "a replay cannot be controlled"})
            action = url.path.removeprefix("/api/")
            if action == "lr":
                try:
                    length = min(int(self.headers.get("Content-Length") or 0), 4096)
                    lr = float(json.loads(self.rfile.read(length) or b"{}")["lr"])
                except (ValueError, KeyError, TypeError):
                    return self._json(HTTPStatus.BAD_REQUEST, {"error": 'send {"lr": <number>}'})
                if not (lr > 0 and lr < 1e3):
                    return self._json(
                        HTTPStatus.BAD_REQUEST, {"error": f"lr must be a positive number, got {lr}"}
                    )
                controls.set_lr(lr)
                return self._json(HTTPStatus.OK, {"ok": True, "lr": lr})
            actions = {"pause": controls.pause, "resume": controls.resume, "step": controls.step,
                       "stop": controls.stop}  # fmt: skip
            if action not in actions:
                return self._json(HTTPStatus.NOT_FOUND, {"error": f"no such control: {action}"})
            actions[action]()
            server.stream.add("control", action=action)
            self._json(HTTPStatus.OK, {"ok": True})

        def _static(self, name: str) -> None:
            if ".." in name or name.startswith("/"):
                return self._json(HTTPStatus.NOT_FOUND, {"error": "no such file"})
            item = _STATIC.joinpath(*name.split("/"))
            if not item.is_file():
                return self._json(HTTPStatus.NOT_FOUND, {"error": f"no such file: {name}"})
            kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
            if kind.startswith("text/") or kind.endswith("javascript"):
                kind += "; charset=utf-8"
            self._send(HTTPStatus.OK, item.read_bytes(), kind)

    return Handler


def serve_replay(run_folder: str, port: int = 0, host: str = "127.0.0.1") -> LiveServer:
    """Serve a finished run's recorded stream (``live.jsonl.gz`` in its folder) for replay.

    Raises FileNotFoundError with one line when the run was not recorded with the live view.
    """
    import os

    from .stream import STREAM_FILE, load_stream

    path = os.path.join(run_folder, STREAM_FILE)
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f"{run_folder} has no live-view recording ({STREAM_FILE}); train it with "
            "`glassnet train --live` to record one"
        )
    return LiveServer(load_stream(path), controls=None, port=port, host=host).start()
