"""A stand-in Nominatim server on 127.0.0.1 that answers /search like the real one."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


class StandIn:
    """Known answers by query text, and every query asked, in order."""

    def __init__(self) -> None:
        self.answers: dict[str, list[dict[str, Any]]] = {}
        self.asked: list[dict[str, list[str]]] = []
        self.url = ""

    def knows(
        self,
        query: str,
        lat: float,
        lon: float,
        addresstype: str,
        country_code: str,
        state: str | None = None,
        display_name: str | None = None,
    ) -> None:
        """Teach the stand-in one answer, shaped like Nominatim's jsonv2 search result."""
        self.answers[query] = [
            {
                "place_id": len(self.answers) + 1,
                "lat": str(lat),
                "lon": str(lon),
                "display_name": display_name or query,
                "class": "place",
                "type": addresstype,
                "addresstype": addresstype,
                "importance": 0.75,
                "address": {"state": state, "country_code": country_code.lower()},
            }
        ]


@contextmanager
def nominatim_standin() -> Iterator[StandIn]:
    """Run the stand-in on a free port for the duration of a test."""
    state = StandIn()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            params = parse_qs(parts.query)
            state.asked.append(params)
            if parts.path != "/search":
                self.send_error(404)
                return
            body = json.dumps(state.answers.get(params.get("q", [""])[0], [])).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            """Keep test output quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
