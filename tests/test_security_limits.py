"""Limits that hold: counted in Redis across workers, per real client behind a proxy, kind to families,
and per moderator account without ever locking a moderator out."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import html
import re
import time

import redis

from memorials.extensions import db
from memorials.audit import ModerationEvent
from memorials.stories.models import Story

from .factories import PASSWORD, form_data, make_moderator, make_story, sign_in
from .forms import csrf_token, submit
from .served import environment, gunicorn, init_db


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def stories(app) -> int:
    with app.app_context():
        return db.session.execute(db.select(db.func.count(Story.id))).scalar()


# -- families ----------------------------------------------------------------------------------------

def test_a_family_over_the_story_limit_gets_the_form_back_with_every_word(make_app):
    app = make_app(RATELIMIT_ENABLED=True, STORY_RATE_LIMIT="2 per hour")
    client = app.test_client()
    # Forms sent back with a mistake do not count toward the limit.
    for _ in range(3):
        response = submit(client, "/stories/new", form_data(story="Too short."))
        assert response.status_code == 200 and "Please write between 50" in page(response)
    assert [submit(client, "/stories/new", form_data(name=f"Person {n}")).status_code for n in range(2)] == [302, 302]

    words = form_data(name="Rosa Delgado", city="Santa Fe", story="Rosa sang in the church choir " * 5,
                      submitter_name="Ana Delgado", relationship="daughter")
    response = submit(client, "/stories/new", words)
    text = page(response)
    assert response.status_code == 429
    assert "can't take this one just yet" in text and "Everything you wrote is still here" in text
    for value in ("Rosa Delgado", "Santa Fe", "Rosa sang in the church choir", "Ana Delgado", "daughter",
                  "maria@example.org"):
        assert value in text
    assert 'name="csrf_token"' in text and "<form" in text  # ready to send again, not an error page
    assert stories(app) == 2


def test_an_edit_over_the_limit_comes_back_on_the_private_page_with_the_words_kept(make_app):
    app = make_app(RATELIMIT_ENABLED=True, STORY_RATE_LIMIT="1 per hour")
    with app.app_context():
        _, token = make_story()
    client = app.test_client()
    url = f"/stories/manage/{token}"
    assert submit(client, url, form_data(city="Columbus")).status_code == 302
    response = submit(client, url, form_data(city="Toledo", story="He fixed every bike on our street. " * 3))
    text = page(response)
    assert response.status_code == 429 and "Everything you wrote is still here" in text
    assert 'value="Toledo"' in text and "He fixed every bike on our street." in text


# -- moderators ----------------------------------------------------------------------------------------

def login_attempt(client, email, password, address):
    return submit(client, "/moderate/login", {"email": email, "password": password},
                  environ_base={"REMOTE_ADDR": address})


def test_five_failures_slow_sign_in_for_the_account_but_never_lock_out_a_known_browser(make_app):
    app = make_app(RATELIMIT_ENABLED=True, SIGN_IN_ACCOUNT_LIMIT="5 per 3 seconds")
    with app.app_context():
        make_moderator()
    moderator = app.test_client()
    assert sign_in(moderator).status_code == 302  # this browser has signed in before
    moderator.post("/moderate/logout", data={"csrf_token": csrf_token(moderator.get("/moderate/").get_data(True))})

    attacker = app.test_client()
    statuses = [login_attempt(attacker, "mod@example.org", f"guess number {n}", f"10.0.0.{n}").status_code
                for n in range(5)]
    assert statuses == [200] * 5
    slowed = login_attempt(attacker, "mod@example.org", PASSWORD, "10.0.0.99")  # even the right password waits
    text = page(slowed)
    assert slowed.status_code == 429 and "sign-in for it is slowed down" in text and 'value="mod@example.org"' in text
    assert "/moderate/login/code" not in slowed.headers.get("Location", "")

    # The moderator's own browser is not slowed by someone else's failures.
    assert sign_in(moderator).status_code == 302
    # Another account is not affected.
    with app.app_context():
        make_moderator(email="other@example.org")
    assert login_attempt(app.test_client(), "other@example.org", PASSWORD, "10.0.0.7").status_code == 302

    # Not a permanent lock: once the window has passed, the account can be tried again.
    time.sleep(3.1)
    assert login_attempt(attacker, "mod@example.org", PASSWORD, "10.0.0.99").status_code == 302

    with app.app_context():
        failures = db.session.execute(db.select(ModerationEvent).filter_by(action="sign_in_failed")).scalars().all()
        assert len(failures) == 5 and {f.item_kind for f in failures} == {"moderator"}
        assert all(f.reason == "password" for f in failures)


def test_wrong_codes_count_toward_the_account_limit_too(make_app):
    app = make_app(RATELIMIT_ENABLED=True)
    with app.app_context():
        make_moderator()
    client = app.test_client()
    submit(client, "/moderate/login", {"email": "mod@example.org", "password": PASSWORD})
    statuses = [submit(client, "/moderate/login/code", {"code": f"{n:06d}"}).status_code for n in range(6)]
    assert statuses == [200] * 5 + [429]


def test_behind_a_trusted_proxy_limits_count_each_visitor_not_the_proxy(make_app):
    app = make_app(RATELIMIT_ENABLED=True, TRUSTED_PROXIES=1)
    client = app.test_client()

    def attempt(n, forwarded_for):
        return submit(client, "/moderate/login", {"email": f"x{n}@example.org", "password": "wrong"},
                      environ_base={"REMOTE_ADDR": "127.0.0.1"}, headers={"X-Forwarded-For": forwarded_for})

    # Twelve visitors through one nginx: none is slowed for the others.
    assert {attempt(n, f"203.0.113.{n}").status_code for n in range(12)} == {200}
    # One visitor trying too often is.
    assert [attempt(n, "198.51.100.7").status_code for n in range(11)][-1] == 429


def test_without_trusted_proxies_a_forged_forwarded_for_changes_nothing(make_app):
    app = make_app(RATELIMIT_ENABLED=True)
    client = app.test_client()
    statuses = [submit(client, "/moderate/login", {"email": f"x{n}@example.org", "password": "wrong"},
                       headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code for n in range(11)]
    assert statuses == [200] * 10 + [429]


# -- Redis ---------------------------------------------------------------------------------------------

def test_limits_are_counted_in_redis_when_it_is_configured(make_app, redis_url):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=redis_url)
    client = app.test_client()
    statuses = [submit(client, "/moderate/login", {"email": f"x{n}@example.org", "password": "wrong"}).status_code
                for n in range(11)]
    assert statuses == [200] * 10 + [429]
    keys = [k.decode() for k in redis.Redis.from_url(redis_url).keys("*")]
    assert any(k.startswith("LIMITS:LIMITER/memorials/") and "sign-in-address" in k for k in keys), keys


def test_a_redis_outage_does_not_take_the_site_down(make_app):
    from .smtp import free_port

    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}/0")
    client = app.test_client()
    statuses = [submit(client, "/moderate/login", {"email": f"x{n}@example.org", "password": "wrong"}).status_code
                for n in range(11)]
    # Nothing answers on that port: limits fall back to this worker's memory, and still hold.
    assert statuses == [200] * 10 + [429]


def _post_login(served, n):
    status, headers, text = served.request("GET", "/moderate/login")
    cookie = headers["Set-Cookie"].split(";", 1)[0]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', text).group(1)
    status, _, _ = served.request("POST", "/moderate/login",
                                  {"csrf_token": token, "email": f"x{n}@example.org", "password": "wrong"},
                                  headers={"Cookie": cookie})
    return status


def test_three_gunicorn_workers_share_one_count_in_redis(database_url, redis_url, tmp_path):
    env = environment(database_url, tmp_path / "instance", RATELIMIT_STORAGE_URI=redis_url)
    init_db(env)
    with gunicorn(env, tmp_path / "logs", workers=3) as served:
        # Several at once, as a guessing script would send them: a busy worker leaves the next to another.
        with ThreadPoolExecutor(max_workers=6) as pool:
            statuses = list(pool.map(lambda n: _post_login(served, n), range(14)))
    # The limit is 10 a minute per address: with counts per worker, up to 30 would get through.
    assert sorted(statuses) == [200] * 10 + [429] * 4
    posts = [line for line in served.access_log.read_text().splitlines() if '"POST /moderate/login' in line]
    workers = {re.search(r"<(\d+)>$", line).group(1) for line in posts}
    assert len(posts) == 14 and len(workers) >= 2, "the attempts were answered by more than one worker process"
