"""gunicorn's settings for production (`make prod` and the README's Production section).

The worker class is gthread: each worker process runs a few threads. Behind nginx, slow clients
never reach gunicorn, so threads are not there for slow clients but for the exports: a full
export is one long response, and a sync worker would hold its whole process for it (and be
killed by the timeout, since a sync worker only reports alive between requests). A gthread
worker's main thread keeps reporting while other threads stream, and a second request is served
by another thread meanwhile. Django is thread-safe and each thread has its own database
connection. `WEB_CONCURRENCY` sets the number of processes, gunicorn's own variable;
`GUNICORN_CMD_ARGS` overrides anything else here.
"""

import os

wsgi_app = "trackii.wsgi"
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = 4
# A worker silent this long is restarted. Long downloads keep a gthread worker alive, so this
# bounds only a stuck process, not a slow request.
timeout = 30
graceful_timeout = 30
# nginx keeps connections to gunicorn open (its `keepalive` upstream setting); gthread serves them.
keepalive = 20
# The proxy's address only: X-Forwarded-* headers are believed from it alone.
forwarded_allow_ips = "127.0.0.1"
# nginx in front bounds the request line (large_client_header_buffers, room for a search of
# 10,000 characters, the API's longest); gunicorn's own limit, 8,190 bytes at most, would refuse
# such a search with a 414 that the schema does not allow.
limit_request_line = 0
accesslog = None
