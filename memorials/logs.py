"""Where the site's log lines go, and the one rule they all follow: no private link is ever written.

Under gunicorn the app's records join gunicorn's error log (its handlers, its level); from the
command line they go to standard error. Every handler we set up, gunicorn's access log included
(see memorials/gunicorn.conf.py), passes records through `RedactPrivateLinks` first.
"""
from __future__ import annotations

import functools
import logging
import re
import sys

import click
from flask import Flask
from flask.logging import default_handler

APP_LOGGER = "memorials"
PRIVATE = "[private]"

# A family's link (/stories/manage/<token>, also under /es/), and any path segment that looks like a
# token: 20 or more URL-safe characters with a capital letter or an underscore. Memorial addresses
# (lower-case slugs) and static file names are left as they are, so logs stay useful.
_MANAGE = re.compile(r"(/(?:manage|invitation|unsubscribe)/)(?!lost(?:[/?#\s\"']|$))[^/\s?#\"']+")
_TOKEN_SEGMENT = re.compile(r"(?<=/)(?=[A-Za-z0-9_-]{20,}(?:[/?#\s\"']|$))(?=[a-z0-9-]*[A-Z_])[A-Za-z0-9_-]+")
_TOKEN_PARAM = re.compile(r"(?i)([?&](?:token|key|code|invite)=)[^&\s\"'#]+")


def redact(text: str) -> str:
    """The text with every private link's secret part replaced by [private]."""
    if "/" not in text and "=" not in text:
        return text
    text = _MANAGE.sub(r"\1" + PRIVATE, text)
    text = _TOKEN_SEGMENT.sub(PRIVATE, text)
    return _TOKEN_PARAM.sub(r"\1" + PRIVATE, text)


class RedactPrivateLinks(logging.Filter):
    """A handler filter: formats the record's message once, redacted, and its traceback too."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 (a malformed record is still logged, as logging would)
            return True
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class _Stderr(logging.StreamHandler):
    """Standard error as it is at each write (a test or a CLI runner may swap it)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def add_redaction(handler: logging.Handler) -> None:
    if not any(isinstance(f, RedactPrivateLinks) for f in handler.filters):
        handler.addFilter(RedactPrivateLinks())


def configure_logging(app: Flask) -> None:
    """The app's loggers: gunicorn's error log when served by gunicorn, else standard error."""
    logger = logging.getLogger(APP_LOGGER)
    gunicorn_error = logging.getLogger("gunicorn.error")
    if gunicorn_error.handlers:
        logger.handlers = list(gunicorn_error.handlers)
        logger.setLevel(gunicorn_error.level or logging.INFO)
    elif not any(isinstance(h, _Stderr) for h in logger.handlers):
        logger.removeHandler(default_handler)
        handler = _Stderr()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG if app.debug else logging.INFO)
    for handler in logger.handlers:
        add_redaction(handler)
    # The development server logs each request line through "werkzeug".
    werkzeug = logging.getLogger("werkzeug")
    if not any(isinstance(f, RedactPrivateLinks) for f in werkzeug.filters):
        werkzeug.addFilter(RedactPrivateLinks())


def log_refused_commands(app: Flask) -> None:
    """Every command's refusal (an import that failed, say) also goes to the log, not just the terminal."""
    log = logging.getLogger(APP_LOGGER + ".cli")
    for name, command in app.cli.commands.items():
        callback = command.callback
        if callback is None or getattr(callback, "_logs_refusals", False):
            continue

        @functools.wraps(callback)
        def logged(*args, __callback=callback, __name=name, **kwargs):
            try:
                return __callback(*args, **kwargs)
            except click.ClickException as error:
                log.error("%s refused: %s", __name, error.format_message())
                raise
            except Exception:
                log.exception("%s failed", __name)
                raise

        logged._logs_refusals = True
        command.callback = logged
