"""Configuration: safe local defaults, overridden by the environment."""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

DEFAULT_INSTANCE = Path(__file__).resolve().parent.parent / "instance"


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() not in {"0", "false", "no", "off"}


def instance_path() -> Path:
    """The folder that holds all state: database, photos, outbox, secret key."""
    return Path(os.environ.get("INSTANCE_PATH") or DEFAULT_INSTANCE).resolve()


def secret_key(folder: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in the instance folder."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = folder / "secret_key"
    if not key_file.exists():
        folder.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two workers starting together must agree on one key.
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
    return key_file.read_text().strip()


def from_environment(folder: Path) -> dict:
    """Settings read from the environment, each with a default that works on a laptop."""
    # Links in mail and share tags follow the port the site is served on (make run PORT=8000) unless set.
    port = (os.environ.get("PORT") or "").strip() or "5000"
    site_url = (os.environ.get("SITE_URL") or f"http://127.0.0.1:{port}").rstrip("/")
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{folder / 'memorials.sqlite3'}"
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgres://"):]
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]
    return {
        "SECRET_KEY": secret_key(folder),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SITE_NAME": os.environ.get("SITE_NAME", "Remembering Them"),
        "SITE_URL": site_url,
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT") or 587),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _flag("MAIL_USE_TLS", True),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "Remembering Them <no-reply@localhost>"),
        # Where "write to us" reaches a person: shown in the footer and set as Reply-To on mail.
        "CONTACT_EMAIL": os.environ.get("CONTACT_EMAIL", ""),
        # How many proxies (nginx, a load balancer) stand in front: their X-Forwarded-For and
        # X-Forwarded-Proto are trusted (werkzeug's ProxyFix), so limits count each real visitor.
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES") or 0),
        # Connections each worker process keeps to PostgreSQL: a sync worker serves one request at a time,
        # so 2 (+2 in a burst) per worker, and one more that listens for the page counter (PAGE_CACHE_LISTEN);
        # servers x workers x that must stay under max_connections. (A connection is asked whether the server is
        # still there only after it sat idle: database.py, _ping_after_idle.)
        **({"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": int(os.environ.get("DATABASE_POOL_SIZE") or 2),
                                          "max_overflow": int(os.environ.get("DATABASE_MAX_OVERFLOW") or 2)}}
           if database_url.startswith("postgresql") else {}),
        # Where photos and share cards live (memorials/storage): empty for the instance folder, file:///PATH for a
        # folder every server shares, s3://BUCKET/PREFIX for S3-compatible object storage through boto3.
        "PHOTO_STORE_URL": os.environ.get("PHOTO_STORE_URL", ""),
        # Set when a bucket or CDN serves the public copies of photos (the store's public/ area): photo
        # addresses redirect there. Empty: the app serves every photo itself.
        "PHOTO_PUBLIC_URL": os.environ.get("PHOTO_PUBLIC_URL", ""),
        # The S3 service (empty: AWS itself), its keys (empty: boto3's usual places, e.g. an instance role) and region.
        "S3_ENDPOINT_URL": os.environ.get("S3_ENDPOINT_URL", ""),
        "AWS_ACCESS_KEY_ID": os.environ.get("AWS_ACCESS_KEY_ID", ""),
        "AWS_SECRET_ACCESS_KEY": os.environ.get("AWS_SECRET_ACCESS_KEY", ""),
        "S3_REGION": os.environ.get("S3_REGION", "us-east-1"),
        # Older setting, still honoured for photos: "package.module:Class", a store class of one's own.
        "PHOTO_STORE": os.environ.get("PHOTO_STORE", ""),
        # A CDN in front of the site: where a purge by key goes ({key} in the URL) and the header that authorises
        # it (memorials/storage/cdn.py). Empty: no CDN, nothing sent.
        "CDN_PURGE_URL": os.environ.get("CDN_PURGE_URL", ""),
        "CDN_PURGE_HEADER": os.environ.get("CDN_PURGE_HEADER", ""),
        # Whole pages kept for visitors who are not signed in, for at most this many seconds (0: never), and
        # dropped at once when anything public changes (see memorials/pagecache/). Per worker, in memory.
        "PAGE_CACHE_SECONDS": float(os.environ.get("PAGE_CACHE_SECONDS") or 60),
        "PAGE_CACHE_BYTES": int(os.environ.get("PAGE_CACHE_MB") or 32) * 1024 * 1024,
        # On PostgreSQL each worker LISTENs for the counter's changes (memorials/pagecache/listen.py) and serves a
        # kept page without a query. Off (0) behind a pooler in transaction mode, which does not pass NOTIFY on.
        "PAGE_CACHE_LISTEN": _flag("PAGE_CACHE_LISTEN", True),
        "RATELIMIT_ENABLED": _flag("RATELIMIT_ENABLED", True),
        # memory:// counts per worker process; redis://host:6379/0 shares the counts between workers
        # and app servers (see the README's deployment section).
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI") or "memory://",
        "SESSION_COOKIE_SECURE": site_url.startswith("https://"),
        "REMEMBER_COOKIE_SECURE": site_url.startswith("https://"),
    }


class Defaults:
    """Values that do not come from the environment."""

    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # A family may take an hour to write: their CSRF token must not expire under them.
    WTF_CSRF_TIME_LIMIT = None
    # Photos may be 10 MB; the request may be somewhat larger so that an oversized photo
    # comes back as a message beside the field with the story kept, not as a bare 413.
    PHOTO_MAX_BYTES = 10 * 1024 * 1024
    MAX_CONTENT_LENGTH = 40 * 1024 * 1024
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    RATELIMIT_HEADERS_ENABLED = False
    # "5 failures in 15 minutes" means the last 15 minutes, not since the quarter hour.
    RATELIMIT_STRATEGY = "moving-window"
    # A Redis outage must not take the site down: limits fall back to each worker's memory meanwhile.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_KEY_PREFIX = "memorials"
    # Sign-in: per address, and per account (failures only; a browser that signed in to the account
    # before is not slowed, so nobody can keep a moderator out by failing on purpose).
    SIGN_IN_ADDRESS_LIMIT = "10 per minute;50 per hour"
    SIGN_IN_ACCOUNT_LIMIT = "5 per 15 minutes"
    MODERATOR_SESSION_IDLE = timedelta(hours=12)
    MODERATOR_SESSION_LONGEST = timedelta(days=7)
    STORIES_PER_PAGE = 24
    # Rate limits (Flask-Limiter strings), per connection: sharing or editing a story; condolences, memories and
    # reports; candles.
    STORY_RATE_LIMIT = "20 per hour"
    COMMUNITY_RATE_LIMIT = "10 per hour"
    CANDLE_RATE_LIMIT = "60 per hour"
    # Addresses per sitemap file (the protocol allows 50,000; tests set fewer to cross it).
    SITEMAP_URLS_PER_FILE = 50_000
    # The form field Flask-WTF names the CSRF token (its own default, stated here because the page cache and the
    # response pipeline look for it).
    WTF_CSRF_FIELD_NAME = "csrf_token"
