"""Request bodies that the client broke (a malformed chunk, a cut connection) are its 400.

The server hands the app a stream; when the client's bytes do not parse (gunicorn raises
InvalidChunkSize, ChunkMissingTerminator, NoMoreData; a socket times out), the error surfaces
wherever the app happens to read the body, as a 500. Wrapping the stream turns any failure
to read it into werkzeug's ClientDisconnected, a 400, whatever the server.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from flask import Flask
from werkzeug.exceptions import ClientDisconnected

from ..i18n_messages import N_

logger = logging.getLogger(__name__)

# A Message: the error page translates it (the request's language is not known down here).
MESSAGE = N_("The request body could not be read (malformed or cut off); nothing was saved.")


class GuardedInput:
    """A wsgi.input whose read failures are the client's: each becomes ClientDisconnected."""

    def __init__(self, stream: Any) -> None:
        """Wrap the server's input stream."""
        self._stream = stream

    def _guard(self, read: Callable[..., Any], *args: Any) -> Any:
        try:
            return read(*args)
        except ClientDisconnected:
            raise
        except Exception as error:  # whatever the server raises, the body is what is bad
            logger.info("request body unreadable: %s: %s", type(error).__name__, error)
            raise ClientDisconnected(MESSAGE) from error

    def read(self, *args: Any) -> bytes:
        """Read like the wrapped stream, refusing a broken body."""
        return self._guard(self._stream.read, *args)

    def readline(self, *args: Any) -> bytes:
        """Read a line like the wrapped stream, refusing a broken body."""
        return self._guard(self._stream.readline, *args)

    def readlines(self, *args: Any) -> list[bytes]:
        """Read lines like the wrapped stream, refusing a broken body."""
        return self._guard(self._stream.readlines, *args)

    def __iter__(self) -> Iterator[bytes]:
        """Iterate like the wrapped stream, refusing a broken body."""
        while line := self.readline():
            yield line


def init_request_bodies(app: Flask) -> None:
    """Guard the input stream of every request the app receives."""
    inner = app.wsgi_app

    def guarded(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if "wsgi.input" in environ:
            environ["wsgi.input"] = GuardedInput(environ["wsgi.input"])
        return inner(environ, start_response)

    app.wsgi_app = guarded  # type: ignore[method-assign]
