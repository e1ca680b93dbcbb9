"""A light visitor of a running app: what a browser fetches, and Streamlit's websocket protocol.

A warm visit in a headless Chromium tab costs about three times the server's CPU on the browser
side, so thirty of them on the server's two cores measure the browsers more than the app.
``Visit`` does what a browser does over the network and nothing else: it GETs the static files
a real browser fetched for the page (recorded once with Chromium: ``PageFiles``), opens
``/_stcore/stream``, sends the ``BackMsg`` a browser sends on load (``rerun_script`` with the
page's name and query string), reads the ``ForwardMsg`` stream (deltas, script_finished), and
GETs every ``/media/`` file the elements name, as a browser draws them. It counts what it
received, and stops at a ``Done`` condition: an image with given alt text or caption fully
downloaded, an element containing a text, or the script finished.
"""

from __future__ import annotations

import hashlib
import http.client
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

import websocket
from google.protobuf.message import Message
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState, ContextInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

BROWSER_CONNECTIONS = 6  # what browsers open per host over HTTP/1.1
ACCEPT_ENCODING = "gzip, deflate, br, zstd"  # as Chromium asks, so the server compresses as for it
DoneKind = Literal["image", "element", "finished"]


@dataclass(frozen=True)
class Done:
    """When a visitor has what they came for.

    ``image:TEXT``: an image whose alt text or caption contains TEXT, its bytes received;
    ``element:TEXT``: an element whose fields contain TEXT; ``finished``: the script has run.
    """

    kind: DoneKind
    text: str = ""

    @classmethod
    def parse(cls, spec: str) -> Done:
        kind, _, text = spec.partition(":")
        if kind == "finished" and not text:
            return cls("finished")
        if kind in ("image", "element") and text:
            return cls(kind, text)  # type: ignore[arg-type]
        raise ValueError(f"Unknown done condition {spec!r}: image:TEXT, element:TEXT or finished.")

    def __str__(self) -> str:
        return self.kind if self.kind == "finished" else f"{self.kind}:{self.text}"


@dataclass(frozen=True)
class PageFiles:
    """The static files a browser fetched for a page: before its websocket opened, and after.

    ``missing``: those the browser got no 200 for (on a page's own URL it looks for
    ``/<page>/_stcore/health`` first, and gets a 404).
    """

    initial: tuple[str, ...]
    lazy: tuple[str, ...]
    missing: frozenset[str] = frozenset()


@dataclass
class Received:
    """What one visit received, counted; ``seconds`` from its first request to ``Done``."""

    seconds: float | None = None
    digest: str | None = None  # SHA-256 of the done image's bytes (or the element's message)
    static_files: int = 0
    static_bytes: int = 0
    media_files: int = 0
    media_bytes: int = 0
    ws_messages: int = 0
    ws_bytes: int = 0
    elements: int = 0  # deltas that add or replace an element or a block
    script_runs: int = 0
    problems: list[str] = field(default_factory=list)  # exceptions, st.error lines, HTTP errors


def _strings(message: Message) -> list[str]:
    """Every string field in a protobuf message, nested ones included."""
    found: list[str] = []
    for descriptor, value in message.ListFields():
        if not descriptor.is_repeated:
            values = [value]
        elif hasattr(value, "values"):  # a map field: its values
            values = list(value.values())
        else:
            values = list(value)
        for item in values:
            if isinstance(item, Message):
                found.extend(_strings(item))
            elif isinstance(item, str):
                found.append(item)
    return found


def media_paths(element: Message) -> list[str]:
    """The /media/ files an element names (images, download payloads): what a browser GETs."""
    return [s for s in _strings(element) if s.startswith("/media/")]


def problem(element: Message) -> str | None:
    """The text of an exception or an st.error element, else None."""
    kind = element.WhichOneof("type")
    if kind == "exception":
        return f"exception: {element.exception.type}: {element.exception.message}"
    if kind == "alert" and element.alert.format == Alert.ERROR:
        return f"error: {element.alert.body}"
    return None


class Http:
    """GETs over up to BROWSER_CONNECTIONS keep-alive connections, as a browser tab makes them."""

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self._host, self._port = parts.hostname or "127.0.0.1", parts.port or 80
        self._local = threading.local()
        self._connections: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()
        self.pool = ThreadPoolExecutor(BROWSER_CONNECTIONS)

    def _connection(self) -> http.client.HTTPConnection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = http.client.HTTPConnection(self._host, self._port, timeout=600)
            self._local.connection = connection
            with self._lock:
                self._connections.append(connection)
        return connection

    def get(self, path: str) -> tuple[int, bytes, float]:
        """(status, body as sent, time.perf_counter() when the last byte arrived)."""
        for attempt in (0, 1):  # a keep-alive connection the server closed: reconnect once
            connection = self._connection()
            try:
                connection.request("GET", path, headers={"Accept-Encoding": ACCEPT_ENCODING})
                response = connection.getresponse()
                body = response.read()
                return response.status, body, time.perf_counter()
            except (http.client.HTTPException, ConnectionError):
                connection.close()
                self._local.connection = None
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        with self._lock:
            for connection in self._connections:
                connection.close()


def rerun_message(url: str, page: str, query: str) -> bytes:
    """The BackMsg a browser sends when it opens ``url``: run the page's script, no widgets set."""
    return BackMsg(
        rerun_script=ClientState(
            query_string=query,
            page_name=page.strip("/"),
            context_info=ContextInfo(
                timezone="UTC",
                timezone_offset=0,
                locale="en-US",
                url=url,
                is_embedded=False,
                color_scheme="light",
            ),
        )
    ).SerializeToString()


class Visit:
    """One visitor opening ``base_url + page + ?query``: ``run()`` to Done, ``close()`` to leave."""

    def __init__(
        self,
        base_url: str,
        page: str,
        query: str,
        files: PageFiles,
        done: Done,
        timeout_s: float = 600.0,
    ) -> None:
        self.base_url, self.page, self.query = base_url.rstrip("/"), page, query
        self.files, self.done, self.timeout_s = files, done, timeout_s
        self.received = Received()
        self._ws: websocket.WebSocket | None = None
        self._http = Http(base_url)
        self._counts = threading.Lock()

    def _fetch(self, path: str, counted_as: Literal["static", "media"]) -> Future:
        """GET ``path`` on one of the visit's connections; counted before the future resolves."""

        def fetch() -> tuple[int, bytes, float]:
            try:
                status, body, arrived = self._http.get(path)
            except Exception as error:  # counted as a problem: the visit goes on like a browser
                with self._counts:
                    self.received.problems.append(f"GET {path}: {error!r}")
                raise
            with self._counts:
                if status != 200 and path not in self.files.missing:
                    self.received.problems.append(f"GET {path}: HTTP {status}")
                if counted_as == "static":
                    self.received.static_files += 1
                    self.received.static_bytes += len(body)
                else:
                    self.received.media_files += 1
                    self.received.media_bytes += len(body)
            return status, body, arrived

        return self._http.pool.submit(fetch)

    def _done_element(self, element: Message) -> tuple[bool, str | None]:
        """(is this the done element?, the /media/ path of its image when Done is an image)."""
        if self.done.kind == "element":
            return any(self.done.text in s for s in _strings(element)), None
        if self.done.kind == "image" and element.WhichOneof("type") == "imgs":
            for image in element.imgs.imgs:
                if self.done.text in image.alt or self.done.text in image.caption:
                    return True, image.url
        return False, None

    def run(self) -> Received:
        """Load the page as a browser does until Done, the script finished and every file came."""
        start = time.perf_counter()
        got = self.received
        path = self.page if self.page.startswith("/") else f"/{self.page}"
        for future in [self._fetch(p, "static") for p in self.files.initial]:
            future.exception()  # the page's bundle first, then the websocket, as in a browser
        url = f"{self.base_url}{path}"
        ws_url = "ws" + self.base_url[len("http") :] + "/_stcore/stream"
        self._ws = websocket.create_connection(
            ws_url, subprotocols=["streamlit"], timeout=self.timeout_s
        )
        self._ws.send_binary(rerun_message(url, path, self.query))
        pending: list[Future] = []
        media: dict[str, Future] = {}
        done_future: Future | None = None
        lazy_started = script_done = False
        while not script_done:
            payload = self._ws.recv()
            if isinstance(payload, str):
                continue
            got.ws_messages += 1
            got.ws_bytes += len(payload)
            message = ForwardMsg.FromString(payload)
            kind = message.WhichOneof("type")
            if kind == "script_finished":
                got.script_runs += 1
                script_done = message.script_finished not in (
                    ForwardMsg.FINISHED_EARLY_FOR_RERUN,
                    ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
                )
                continue
            if kind != "delta":
                continue
            if not lazy_started:  # the element bundles a browser loads once the page draws
                pending += [self._fetch(p, "static") for p in self.files.lazy]
                lazy_started = True
            delta = message.delta
            if delta.WhichOneof("type") in ("new_element", "add_block"):
                got.elements += 1
            if delta.WhichOneof("type") != "new_element":
                continue
            element = delta.new_element
            if (text := problem(element)) is not None:
                got.problems.append(text)
            is_done, image_path = self._done_element(element)
            for media_path in media_paths(element):
                if media_path not in media:
                    media[media_path] = self._fetch(media_path, "media")
                    pending.append(media[media_path])
            if is_done and image_path in media:
                done_future = media[image_path]
            if is_done and self.done.kind == "element" and got.seconds is None:
                got.seconds = time.perf_counter() - start
                serialized = element.SerializeToString(deterministic=True)
                got.digest = hashlib.sha256(serialized).hexdigest()
        if self.done.kind == "finished":
            got.seconds = time.perf_counter() - start
        for future in pending:
            future.exception()
        if done_future is not None and done_future.exception() is None:
            status, body, arrived = done_future.result()
            if status == 200:
                got.seconds = arrived - start
                got.digest = hashlib.sha256(body).hexdigest()
        if got.seconds is None:
            got.problems.append(f"never done ({self.done})")
        return got

    def close(self) -> None:
        """Leave: close the websocket (the server keeps the session a while, as for a browser)."""
        if self._ws is not None:
            self._ws.close()
        self._http.close()
