"""WSGI entry point: the one module that builds an app at import time."""

from eventmap import create_app

app = create_app()
