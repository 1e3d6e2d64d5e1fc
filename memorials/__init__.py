"""The application factory: configuration, extensions, blueprints, commands, error pages."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, has_request_context, request

from . import config
from .extensions import csrf, db, limiter, login_manager, migrate

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class MemorialsFlask(Flask):
    """Flask, with one difference: on a Spanish page, links to language-neutral files (static assets,
    photos, downloads, feeds) keep their single address instead of gaining the /es prefix."""

    def url_for(self, endpoint: str, /, **values) -> str:
        rv = super().url_for(endpoint, **values)
        if has_request_context():
            from .i18n import is_neutral, neutral_url

            full = (request.blueprint or "") + endpoint if endpoint.startswith(".") else endpoint
            if is_neutral(full):
                rv = neutral_url(rv)
        return rv


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

    from .http import register_http
    from .pagecache import register_page_cache, serve_kept_pages
    from .web import register_web

    register_page_cache(app)  # its after_request hook keeps the page as register_http left it
    register_http(app)  # its after_request hook runs after register_web's (Flask runs them in reverse)
    register_web(app)  # before the blueprints: their routes use its URL converters
    register_extensions(app)
    register_blueprints(app)
    register_commands(app)
    serve_kept_pages(app)  # after every other before_request hook
    return app


def register_extensions(app: Flask) -> None:
    from .database import init_database

    init_database(app)
    from .search.models import schema_objects_to_compare

    # Autogenerate leaves SQLite's FTS5 table and its shadow tables alone (they are not models).
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True,
                     include_name=schema_objects_to_compare)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    from .i18n import init_i18n

    init_i18n(app)
    from .search import init_search

    init_search(app)


def register_blueprints(app: Flask) -> None:
    from .community import bp as community_bp
    from .community import moderate_bp as community_moderation_bp
    from .feeds import bp as feeds_bp
    from .gallery import bp as gallery_bp
    from .gallery import moderate_bp as gallery_moderation_bp
    from .home import bp as home_bp
    from .letters import admin_bp as letters_admin_bp
    from .letters import api_bp as letters_api_bp
    from .letters import bp as letters_bp
    from .memories import bp as memories_bp
    from .memories import moderate_bp as memories_moderation_bp
    from .moderation import bp as moderation_bp
    from .stats import bp as stats_bp
    from .stories import bp as stories_bp

    app.register_blueprint(home_bp)
    app.register_blueprint(stories_bp)
    app.register_blueprint(community_bp)
    app.register_blueprint(community_moderation_bp)
    app.register_blueprint(memories_bp)
    app.register_blueprint(memories_moderation_bp)
    app.register_blueprint(gallery_bp)
    app.register_blueprint(gallery_moderation_bp)
    app.register_blueprint(moderation_bp)
    app.register_blueprint(stats_bp)
    app.register_blueprint(letters_bp)
    app.register_blueprint(letters_admin_bp)
    app.register_blueprint(letters_api_bp)
    app.register_blueprint(feeds_bp)


def register_commands(app: Flask) -> None:
    from .cli import create_moderator_command, init_db_command
    from .mail.commands import deliver_mail_command

    app.cli.add_command(init_db_command)
    app.cli.add_command(create_moderator_command)
    app.cli.add_command(deliver_mail_command)
    from .logs import log_refused_commands

    log_refused_commands(app)
