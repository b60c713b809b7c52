"""gzip and brotli for every compressible answer of the app, when the client asks for them.

Flask-Compress compresses pages, JSON, feeds and scripts after the view; the whole
collections (eventmap/web/collection_cache.py) come compressed already and are left alone.
Answers that carry a secret (the organizers' private pages, the moderators' pages: all
`no-store`) go out as they are, so that no one can learn a token from their compressed size
while making the page echo guesses of it (BREACH).
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask_compress import Compress

# One setting for the app's answers and for the stored collections.
GZIP_LEVEL = 6
BROTLI_QUALITY = 5
# Below this, compression saves less than the header costs.
MIN_SIZE = 500
# A file bigger than this goes as it is, by sendfile: compressing it means holding it whole in
# the worker and compressing it again for every request (the scripts, styles and outlines the
# pages use are 200 KB at most).
MAX_FILE_SIZE = 1024 * 1024
ALGORITHMS = ["br", "gzip"]
MIMETYPES = [
    "text/html",
    "text/css",
    "text/plain",
    "text/calendar",
    "text/javascript",
    "application/javascript",
    "application/json",
    "application/geo+json",
    "application/manifest+json",
    "application/xml",
    "application/atom+xml",
    "application/rss+xml",
    "image/svg+xml",
]
# The answer already holds its encoded body (set by collection_cache): not for Flask-Compress.
ENCODED = "eventmap.encoded"


def init_compression(app: Flask) -> None:
    """Compress the app's answers; register before the other after-request hooks (runs last)."""
    for key, value in {
        "COMPRESS_MIMETYPES": MIMETYPES,
        "COMPRESS_LEVEL": GZIP_LEVEL,
        "COMPRESS_BR_LEVEL": BROTLI_QUALITY,
        "COMPRESS_MIN_SIZE": MIN_SIZE,
        "COMPRESS_ALGORITHM": ALGORITHMS,
        "COMPRESS_ALGORITHM_STREAMING": ALGORITHMS,
        "COMPRESS_REGISTER": False,
    }.items():
        app.config.setdefault(key, value)
    compress = Compress(app)

    @app.after_request
    def _compressed(response: Response) -> Response:
        if request.environ.get(ENCODED) or response.cache_control.no_store:
            return response
        if (
            response.direct_passthrough
            and response.status_code == 200  # not a 304, nor a range of the file
            and response.mimetype in compress.compress_mimetypes_set
        ):
            if (response.content_length or MAX_FILE_SIZE + 1) > MAX_FILE_SIZE:
                return response  # by sendfile, as it is
            if request.accept_encodings.best_match(ALGORITHMS):  # not for "identity"
                # A small file (scripts, styles, the outlines): read it, so it is compressed
                # whole, gzip included, with its length, and the file closed at once.
                file = response.response
                response.direct_passthrough = False
                response.set_data(b"".join(file))
                if hasattr(file, "close"):
                    file.close()
        return compress.after_request(response)
