"""gunicorn settings; `make run` and bench/throughput.py use this file."""

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
