"""gunicorn settings for `make serve`, each from the environment with a safe default.

Worker model: a few processes (WEB_CONCURRENCY, default 2), each with a pool of threads
(EVENTMAP_THREADS, default 8) on gunicorn's gthread worker. A slow client holds one thread,
not a whole process, and gunicorn closes it after `timeout` seconds; four clients trickling
half a body cannot stall the server. On the open internet, put a buffering proxy in front
(nginx, see docs) so that slow clients never reach a thread at all.
"""

import errno
import os
import socket

bind = os.environ.get("EVENTMAP_BIND", "127.0.0.1:5000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("EVENTMAP_THREADS", "8"))
# Seconds a request may take (reading a slow body included) before the worker gives it up.
timeout = int(os.environ.get("EVENTMAP_REQUEST_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# A listening socket per worker (SO_REUSEPORT), the kernel spreading new connections over them
# evenly. On one shared socket, whichever worker was in accept() took them: a client opening
# 50 keep-alive connections at once could find all 50 on one worker and the other idle (a third
# of the throughput, in one load-test run in three). EVENTMAP_REUSE_PORT=0: one shared socket.
reuse_port = os.environ.get("EVENTMAP_REUSE_PORT", "1") != "0"
# Bounded request heads: a longer line or header is refused with 400 before the app sees it.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
accesslog = "-"
errorlog = "-"
# The app warns at start when several workers count rate limits apart (memory storage).
os.environ.setdefault("EVENTMAP_WORKERS", str(workers))
os.environ.setdefault("EVENTMAP_THREADS", str(threads))  # each worker's database pool size
# glibc gives each thread that allocates its own heap arena (up to 8 per core): the builds of
# whole collections, each in whichever thread asked first, then leave memory spread over
# many heaps. Two arenas per worker keep its footprint near what one build needs
# (EVENTMAP_MALLOC_ARENAS; 0 keeps glibc's default).
malloc_arenas = int(os.environ.get("EVENTMAP_MALLOC_ARENAS", "2"))


def on_starting(server):
    """Refuse a port another server listens on: with SO_REUSEPORT it would be shared silently.

    Two of ours on one port (a second `make serve`, an old instance left running) would each
    get half the connections, with no error. A bind without SO_REUSEPORT fails while anyone
    listens there, and succeeds otherwise; the socket is closed at once.
    """
    if not server.cfg.reuse_port:
        return  # gunicorn's own bind says "address in use"
    for address in server.cfg.address:
        if not isinstance(address, tuple):
            continue  # a Unix socket: gunicorn's bind checks it
        family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        probe = socket.socket(family, socket.SOCK_STREAM)
        try:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT is no owner
            probe.bind(address[:2])
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                raise
            server.log.error(
                "%s:%s is in use by another server: stop it or set EVENTMAP_BIND", *address[:2]
            )
            raise SystemExit(1) from None
        finally:
            probe.close()


def when_ready(server):
    """Say where it listens: with a socket per worker, gunicorn's own line names none."""
    if server.cfg.reuse_port:
        for address in server.cfg.address:
            if isinstance(address, tuple):
                server.log.info("Listening at: http://%s:%s (a socket per worker)", *address[:2])
            else:
                server.log.info("Listening at: unix:%s (a socket per worker)", address)


def post_fork(server, worker):
    """Cap the worker's malloc arenas (glibc only; elsewhere nothing to do)."""
    if malloc_arenas <= 0:
        return
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").mallopt(-8, malloc_arenas)  # M_ARENA_MAX
    except (OSError, AttributeError):
        pass


def post_worker_init(worker):
    """Move the loaded app out of the cyclic collector's sight (gc.freeze).

    A worker holds about 150,000 objects once the app is loaded (modules, classes,
    functions), and each full collection walked them all: at 100,000 parties, 11 of them in
    a minute of load, 100-470 ms each with every thread stopped, more than a request's p99
    budget. Frozen, they are never walked again (10-50 ms a collection then); what requests
    make later is collected as before.
    """
    import gc

    gc.freeze()
