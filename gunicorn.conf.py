"""gunicorn settings; `make run` and bench/throughput.py use this file."""

import contextlib
import ctypes
import ctypes.util
import multiprocessing
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
# Threads keep a worker free while a phone on 2G trickles a request in; processes use
# both cores. Behind a buffering reverse proxy the threads matter less.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2))
threads = int(os.environ.get("WEB_THREADS", 4))
timeout = 60
graceful_timeout = 20
keepalive = 5
# Workers are not recycled: a restart costs a second of imports and index building, which
# showed as 1 s stalls under load. Memory per worker is measured by bench/throughput.py.
accesslog = os.environ.get("ACCESS_LOG", "-") or None
# gunicorn's usual line with the path only: no query string and no referrer, which carry a
# staff search for a phone number, a CCCD or a name (/can-bo/?q=...) into the log.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(a)s" %(M)sms'
errorlog = "-"
# Tells create_app() it serves pages only (no migrations to load).
raw_env = ["MOTCUA_WEB_WORKER=1"]
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

M_ARENA_MAX = -8  # mallopt's parameter number in glibc's malloc.h


def post_fork(server, worker):
    """Two malloc arenas per worker, set before its threads start."""
    # glibc gives threads arenas of their own, up to 8 per core; memory freed into them is
    # rarely handed back, so a 4-thread worker grew 15-20 MB past the 100 MB budget. Two
    # arenas keep the threads from queuing on one lock and the worker within the budget.
    # (MALLOC_ARENA_MAX in the environment does the same, but only if set before gunicorn.)
    name = ctypes.util.find_library("c")
    if name and "MALLOC_ARENA_MAX" not in os.environ:
        with contextlib.suppress(OSError, AttributeError):  # not glibc: keep its defaults
            ctypes.CDLL(name).mallopt(M_ARENA_MAX, 2)
