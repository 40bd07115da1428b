"""gunicorn settings for the container image (Dockerfile CMD). Knobs come from the environment."""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", 3))
threads = int(os.environ.get("GUNICORN_THREADS", 1))
# Large media uploads pass through a worker; the TLS proxy in front should buffer request bodies.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 120))
graceful_timeout = 30
accesslog = "-"
# The path without its query string: OAuth callbacks carry authorization codes and state there.
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
# No runtime control socket (gunicornc): nothing uses it, and $HOME is not writable in the image.
control_socket_disable = True
