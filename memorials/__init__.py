"""The application factory: configuration, extensions, blueprints, commands, error pages."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, Response, has_request_context, request
from werkzeug.routing import Map

from . import config, responses
from .cli import register_commands
from .community import bp as community_bp
from .community import moderate_bp as community_moderation_bp
from .database import init_database
from .extensions import csrf, db, limiter, login_manager, migrate
from .feeds import bp as feeds_bp
from .gallery import bp as gallery_bp
from .gallery import moderate_bp as gallery_moderation_bp
from .home import bp as home_bp
from .i18n import init_i18n, neutral_url
from .languages import is_neutral
from .letters import admin_bp as letters_admin_bp
from .letters import api_bp as letters_api_bp
from .letters import bp as letters_bp
from .memories import bp as memories_bp
from .memories import moderate_bp as memories_moderation_bp
from .moderation import bp as moderation_bp
from .search.models import schema_objects_to_compare
from .stats import bp as stats_bp
from .storage.tasks import init_tasks
from .stories import bp as stories_bp
from .web import BoundedIntConverter, CleanRequest, register_web

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class SiteMap(Map):
    """<int:...> stops at the largest id a column holds: a huge number is a 404, never an overflow."""

    default_converters = {**Map.default_converters, "int": BoundedIntConverter}


class MemorialsFlask(Flask):
    """Flask, with the site's request (parameters cleaned once, for every view), its routes' converters, and
    its response pipeline (memorials/responses.py) around every view. On a Spanish page, links to
    language-neutral files (static assets, photos, downloads, feeds) keep their single address."""

    request_class = CleanRequest
    url_map_class = SiteMap

    def url_for(self, endpoint: str, /, **values) -> str:
        rv = super().url_for(endpoint, **values)
        if has_request_context():
            full = (request.blueprint or "") + endpoint if endpoint.startswith(".") else endpoint
            if is_neutral(full):
                rv = neutral_url(rv)
        return rv

    def dispatch_request(self):
        """The view, unless the page cache holds this page (asked once every before_request hook has run)."""
        kept = responses.kept_page()
        return kept if kept is not None else super().dispatch_request()

    def process_response(self, response: Response) -> Response:
        """Every after_request hook and the session first, then the response pipeline, which sees all of it."""
        return responses.finish(super().process_response(response))


def create_app(test_config: dict | None = None) -> Flask:
    test_config = dict(test_config or {})
    folder = Path(test_config.pop("INSTANCE_PATH", None) or config.instance_path()).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    root = Path(__file__).resolve().parent.parent
    app = MemorialsFlask(
        __name__,
        instance_path=str(folder),
        template_folder=str(root / "templates"),
        static_folder=str(root / "static"),
    )
    app.config.from_object(config.Defaults)
    app.config.update(config.from_environment(folder))
    app.config.update(test_config)

    register_web(app)
    register_extensions(app)
    responses.register_responses(app)
    register_blueprints(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    init_database(app)
    # Autogenerate leaves SQLite's FTS5 table and its shadow tables alone (they are not models).
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True,
                     include_name=schema_objects_to_compare)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    init_i18n(app)
    init_tasks(app)


def register_blueprints(app: Flask) -> None:
    for blueprint in (home_bp, stories_bp, community_bp, community_moderation_bp, memories_bp, memories_moderation_bp,
                      gallery_bp, gallery_moderation_bp, moderation_bp, stats_bp, letters_bp, letters_admin_bp,
                      letters_api_bp, feeds_bp):
        app.register_blueprint(blueprint)
