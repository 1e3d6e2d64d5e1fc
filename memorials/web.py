"""Request-wide behaviour: security headers, template globals, kind error pages."""
from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .states import STATES

log = logging.getLogger(__name__)

# No third-party anything: scripts, styles, fonts and images come from this site only.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)

ERROR_PAGES = {
    400: ("Something in that request didn't work", "errors/400.html"),
    403: ("That page is private", "errors/generic.html"),
    404: ("We couldn't find that page", "errors/404.html"),
    405: ("That didn't work", "errors/generic.html"),
    413: ("That file is too large", "errors/413.html"),
    429: ("Please slow down a little", "errors/429.html"),
    500: ("Something went wrong on our side", "errors/500.html"),
}


def register_web(app: Flask) -> None:
    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
        if request.path.startswith(("/stories/manage/", "/moderate/")):
            # Private pages: never cached, never sent on as a referrer.
            response.headers["Cache-Control"] = "no-store"
            response.headers["Referrer-Policy"] = "no-referrer"
        return response

    @app.context_processor
    def site_globals():
        return {
            "site_name": app.config["SITE_NAME"],
            "site_url": app.config["SITE_URL"],
            "state_names": STATES,
        }

    def error_page(code: int, description: str | None = None):
        title, template = ERROR_PAGES.get(code, ERROR_PAGES[500])
        if request.path.startswith("/api/"):  # programs get JSON, people get a page
            return jsonify(error=title + "."), code
        return render_template(template, title=title, code=code, description=description), code

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return error_page(400, "This form had been open for a while, or was sent from another page. "
                          "Please go back, reload the page and try again.")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if error.response is not None:  # the view already made its own kind page
            return error.response
        return error_page(error.code)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        log.exception("unhandled error on %s %s", request.method, request.path)
        try:
            from .extensions import db

            db.session.rollback()
        except Exception:  # noqa: BLE001 (the error page must still show)
            pass
        return error_page(500)
