"""gunicorn settings for the site: `gunicorn -c memorials/gunicorn.conf.py app:app`.

Every setting can be overridden on the command line or by the environment variables read here.
The access and error logs pass through the same filter as the app's own log, so a family's private
link (/stories/manage/<token>) or any other token in a path is written as [private].
"""
import multiprocessing
import os
import sys
from pathlib import Path

# The project folder, so that `memorials` imports however gunicorn was started.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gunicorn.glogging import Logger  # noqa: E402

from memorials.logs import add_redaction  # noqa: E402

bind = os.environ.get("GUNICORN_BIND") or f"127.0.0.1:{os.environ.get('PORT') or 8000}"
workers = int(os.environ.get("WEB_CONCURRENCY") or min(2 * multiprocessing.cpu_count() + 1, 8))
# Sync workers: each request has a worker to itself; a slow client is nginx's business (it buffers).
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 30)
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then, so a slow leak never grows for weeks.
max_requests = 2000
max_requests_jitter = 200
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or "-"
errorlog = os.environ.get("GUNICORN_ERROR_LOG") or "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL") or "info"
# The client's address as nginx passed it, the request time in milliseconds, the worker that answered.
access_log_format = '%(h)s "%({x-forwarded-for}i)s" %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s" %(p)s'
# Headers and request lines larger than this are refused by gunicorn itself, before the app.
limit_request_line = 8190
limit_request_fields = 100


class RedactingLogger(Logger):
    """gunicorn's logger, with private links taken out of every access and error line."""

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                add_redaction(handler)


logger_class = RedactingLogger
