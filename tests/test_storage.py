"""Photos and share cards in a store: the instance folder, or S3-compatible object storage (moto's server on
loopback). Upload, serve, withdraw, move, public copies, and a store that is down or refuses to delete."""
from __future__ import annotations

import hashlib
import http.server
import io
import re
import threading
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from PIL import Image

from memorials import storage
from memorials.extensions import db
from memorials.gallery.models import GalleryPhoto
from memorials.memories.models import Memory
from memorials.storage import tasks
from memorials.storage.local import LocalStore
from memorials.storage.models import StoreTask
from memorials.storage.move import move
from memorials.stories import photos
from memorials.stories.models import Photo, PhotoPurpose, Story

from .conftest import deliver
from .factories import form_data, make_moderator, make_story, publish, sign_in
from .forms import csrf_token, submit
from .s3_server import s3_bucket, s3_server  # noqa: F401 (fixtures)
from .smtp import free_port

IMMUTABLE = "public, max-age=31536000, immutable"


def photo_upload(color=(30, 120, 200)) -> tuple[io.BytesIO, str]:
    image = Image.new("RGB", (900, 1200), color)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    out.seek(0)
    return out, "mum.jpg"


def share(app, client, **fields) -> tuple[int, str]:
    """A family shares a story with a photo through the real form. Returns its id and the private page."""
    response = submit(client, "/stories/new", {**form_data(**fields), "photo": photo_upload()})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    deliver(app)
    mails = sorted((Path(app.instance_path) / "outbox").glob("*.eml"))
    text = "".join(message_from_bytes(p.read_bytes(), policy=policy.default).get_content() for p in mails)
    link = re.findall(r"http://localhost(/stories/manage/[A-Za-z0-9_-]+)", text)[-1]
    with app.app_context():
        story_id = db.session.execute(db.select(Story.id).order_by(Story.id.desc()).limit(1)).scalar_one()
    return story_id, link


def photo_names(app, story_id: int) -> list[str]:
    with app.app_context():
        story = db.session.get(Story, story_id)
        return [name for p in story.photos for name in (p.filename, p.thumb_filename)]


def approve(app, story_id: int) -> str:
    with app.app_context():
        story = publish(db.session.get(Story, story_id))
        return story.slug


def withdraw(client, manage: str):
    page = client.get(manage).get_data(as_text=True)
    return client.post(manage, data={"csrf_token": csrf_token(page), "action": "withdraw", "confirm": "yes"})


def waiting(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        return [(t.action, t.area, t.name) for t in tasks.waiting()]


# Which store, from which setting ------------------------------------------------------------------------

def test_the_store_url_names_a_folder_or_a_bucket(tmp_path):
    config = {"S3_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s",
              "S3_REGION": ""}
    assert storage.open_store("", "photos", config, tmp_path).folder == tmp_path / "photos"
    assert storage.open_store("", "share-cards", config, tmp_path).folder == tmp_path / "share-cards"
    assert storage.open_store("file:///srv/shared", "photos", config, tmp_path).folder == Path("/srv/shared/photos")
    bucket = storage.open_store("s3://family-photos/site", "photos", config, tmp_path)
    assert (bucket.bucket, bucket.prefix, bucket.key("a.jpg")) == ("family-photos", "site/photos", "site/photos/a.jpg")
    assert storage.open_store("s3://family-photos", "public", config, tmp_path).key("a.jpg") == "public/a.jpg"
    for wrong in ("http://example.org/x", "s3://", "ftp://host/path"):
        with pytest.raises(ValueError):
            storage.open_store(wrong, "photos", config, tmp_path)


def test_a_photo_name_is_unguessable_and_carries_the_hash_of_its_bytes():
    data = b"\xff\xd8 a photo"
    first, second = photos.photo_name(data), photos.photo_name(data)
    assert first != second  # two families who send the same picture never share a file
    digest = hashlib.sha256(data).hexdigest()
    assert photos.name_digest(first) == digest[:32] and storage.NAME.fullmatch(first) and len(first) <= 64
    assert photos.name_digest("an-old-random-name.jpg") is None


def test_the_local_store_lists_checks_and_hashes_its_files(tmp_path):
    store = LocalStore(tmp_path / "cards")
    assert list(store.names()) == [] and not store.exists("story-1-2-en.jpg")
    store.save("story-1-2-en.jpg", b"one")
    store.save("story-12-3-en.jpg", b"two")
    assert sorted(store.names("story-1-")) == ["story-1-2-en.jpg"]
    assert store.digest("story-1-2-en.jpg") == hashlib.sha256(b"one").hexdigest()
    assert store.digest("missing.jpg") is None and not store.exists("../secret_key")


# The S3 store itself ---------------------------------------------------------------------------------

def test_the_s3_store_writes_reads_lists_and_deletes(s3_server, s3_bucket, tmp_path):
    store = storage.open_store(f"s3://{s3_bucket}/site", "photos", s3_server.settings(s3_bucket), tmp_path)
    store.save("abc.jpg", b"\xff\xd8 first")
    store.save("abd.jpg", b"\xff\xd8 second")
    assert s3_server.keys(s3_bucket) == ["site/photos/abc.jpg", "site/photos/abd.jpg"]
    assert store.read("abc.jpg") == b"\xff\xd8 first" and store.exists("abc.jpg")
    assert store.digest("abd.jpg") == hashlib.sha256(b"\xff\xd8 second").hexdigest()
    assert sorted(store.names("abc")) == ["abc.jpg"]
    head = s3_server.client().head_object(Bucket=s3_bucket, Key="site/photos/abc.jpg")
    assert head["CacheControl"] == IMMUTABLE and head["ContentType"] == "image/jpeg"
    store.delete("abc.jpg")
    store.delete("abc.jpg")  # already gone: nothing happens
    with pytest.raises(FileNotFoundError):
        store.read("abc.jpg")
    with pytest.raises(FileNotFoundError):
        store.save("../escape.jpg", b"")
    assert not store.exists("abc.jpg") and store.digest("abc.jpg") is None


def test_a_store_that_does_not_answer_says_so_quickly(tmp_path):
    config = {"S3_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}", "AWS_ACCESS_KEY_ID": "k",
              "AWS_SECRET_ACCESS_KEY": "s", "S3_REGION": ""}
    store = storage.open_store("s3://nowhere/site", "photos", config, tmp_path)
    for action in (lambda: store.save("a.jpg", b"x"), lambda: store.read("a.jpg"), lambda: store.delete("a.jpg"),
                   lambda: list(store.names())):
        with pytest.raises(storage.StoreUnavailable):
            action()


# A family's photo in object storage, through the site --------------------------------------------------

@pytest.mark.both_databases
def test_photos_and_cards_live_in_the_bucket_and_only_public_ones_are_served(make_app, s3_server, s3_bucket):
    app = make_app(**s3_server.settings(s3_bucket))
    client = app.test_client()
    story_id, manage = share(app, client)
    names = photo_names(app, story_id)
    assert s3_server.keys(s3_bucket) == sorted(f"site/photos/{n}" for n in names)
    assert not (Path(app.instance_path) / "photos").exists()  # nothing on this machine's disk
    for name in names:   # each name carries the hash of what it holds
        data = s3_server.client().get_object(Bucket=s3_bucket, Key=f"site/photos/{name}")["Body"].read()
        assert hashlib.sha256(data).hexdigest().startswith(photos.name_digest(name))

    # Waiting for a moderator: not public, but the family and the moderators see it.
    assert client.get(f"/stories/photos/{names[0]}").status_code == 404
    family = client.get(f"{manage}/photos/{names[0]}")
    assert family.status_code == 200 and family.headers["Cache-Control"] == "no-store"
    with app.app_context():
        make_moderator()
    moderator = app.test_client()
    assert sign_in(moderator).status_code == 302
    seen = moderator.get(f"/moderate/photos/{names[0]}")
    assert seen.status_code == 200 and seen.data[:2] == b"\xff\xd8" and seen.headers["Cache-Control"] == "no-store"
    assert moderator.get("/moderate/photos/nothing-here.jpg").status_code == 404

    slug = approve(app, story_id)
    served = client.get(f"/stories/photos/{names[1]}")
    assert served.status_code == 200 and served.headers["Cache-Control"] == IMMUTABLE
    assert served.data == s3_server.client().get_object(Bucket=s3_bucket, Key=f"site/photos/{names[1]}")["Body"].read()
    again = client.get(f"/stories/photos/{names[1]}", headers={"If-None-Match": served.headers["ETag"]})
    assert again.status_code == 304

    card = client.get(f"/stories/{slug}/share.jpg")
    assert card.status_code == 200 and Image.open(io.BytesIO(card.data)).size == (1200, 630)
    cards = s3_server.keys(s3_bucket, "site/share-cards/")
    assert len(cards) == 1 and re.fullmatch(rf"site/share-cards/story-{story_id}-\d+-en\.jpg", cards[0])
    assert not (Path(app.instance_path) / "share-cards").exists()

    # Withdrawn: the photos and the card leave the bucket in the same step, and nothing waits.
    assert withdraw(client, manage).status_code == 200
    assert s3_server.keys(s3_bucket) == [] and waiting(app) == []
    assert client.get(f"/stories/photos/{names[1]}").status_code == 404


@pytest.mark.both_databases
@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_store_that_is_down_costs_the_family_nothing_they_typed(make_app, lang):
    app = make_app(PHOTO_STORE_URL="s3://nowhere/site", S3_ENDPOINT_URL=f"http://127.0.0.1:{free_port()}",
                   AWS_ACCESS_KEY_ID="k", AWS_SECRET_ACCESS_KEY="s")
    client = app.test_client()
    prefix = "" if lang == "en" else "/es"
    data = form_data(story="Danny taught his little sister to ride a bike on the cracked driveway.")
    response = submit(client, f"{prefix}/stories/new", {**data, "photo": photo_upload()})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    note = ("We couldn&#39;t save your photo just now, so nothing has been sent yet" if lang == "en" else
            "No pudimos guardar su foto en este momento, así que todavía no se ha enviado nada")
    assert note in page
    assert "Danny taught his little sister to ride a bike on the cracked driveway." in page
    assert 'value="Daniel James Rivera"' in page
    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(Story)).scalar() == 0
        assert db.session.execute(db.select(db.func.count()).select_from(Photo)).scalar() == 0
    assert not (Path(app.instance_path) / "outbox").exists() or not list((Path(app.instance_path) / "outbox").iterdir())


@pytest.mark.both_databases
def test_a_store_that_is_down_costs_a_friend_or_the_family_nothing_they_typed(make_app):
    """A memory with a photo, and new gallery photos from the family's page, while the store does not answer: the
    page comes back with every word kept and the note beside the photo field, and nothing is saved."""
    app = make_app(PHOTO_STORE_URL="s3://nowhere/site", S3_ENDPOINT_URL=f"http://127.0.0.1:{free_port()}",
                   AWS_ACCESS_KEY_ID="k", AWS_SECRET_ACCESS_KEY="s")
    with app.app_context():
        story, token = make_story()
        publish(story)
        slug = story.slug
    client = app.test_client()
    note = "We couldn&#39;t save your photo just now, so nothing has been sent yet"
    memory = submit(client, f"/stories/{slug}/memories",
                    {"name": "Marcus", "memory": "The raft sank in twenty minutes.", "email": "", "website": "",
                     "photo_alt": "Danny on the raft", "photo": photo_upload()},
                    page=f"/stories/{slug}", content_type="multipart/form-data")
    page = memory.get_data(as_text=True)
    assert memory.status_code == 200 and note in page
    assert "The raft sank in twenty minutes." in page and 'value="Danny on the raft"' in page
    gallery = submit(client, f"/stories/manage/{token}/gallery",
                     {"photos": photo_upload(), "gallery-0-alt": "Danny at the lake", "gallery-0-caption": "2019"},
                     page=f"/stories/manage/{token}", content_type="multipart/form-data")
    page = gallery.get_data(as_text=True)
    assert gallery.status_code == 200 and note in page and 'value="Danny at the lake"' in page
    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(Memory)).scalar() == 0
        assert db.session.execute(db.select(db.func.count()).select_from(GalleryPhoto)).scalar() == 0
        assert db.session.execute(db.select(db.func.count()).select_from(Photo)).scalar() == 0


class FailingDeletes:
    """A store that keeps files but refuses to delete them until it is mended (a bucket that is down)."""

    def __init__(self, inner) -> None:
        self.inner, self.broken = inner, True

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def delete(self, name: str) -> None:
        if self.broken:
            raise storage.StoreUnavailable("the store is down")
        self.inner.delete(name)


@pytest.mark.both_databases
def test_a_withdrawal_whose_deletes_fail_is_finished_by_the_sender(make_app):
    app = make_app()
    client = app.test_client()
    story_id, manage = share(app, client)
    slug = approve(app, story_id)
    names = photo_names(app, story_id)
    with client.get(f"/stories/{slug}/share.jpg") as card:
        assert card.status_code == 200
    folder, cards = Path(app.instance_path) / "photos", Path(app.instance_path) / "share-cards"
    assert sorted(p.name for p in folder.iterdir()) == sorted(names) and list(cards.glob("story-*"))
    with app.app_context():
        failing = {area: FailingDeletes(storage.store(area)) for area in ("photos", "share-cards")}
        app.extensions["stores"].update(failing)

    page = withdraw(client, manage)
    assert page.status_code == 200 and "The story has been deleted" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Story, story_id) is None   # the family's withdrawal stands
    left = waiting(app)
    assert {(a, n) for _, a, n in left} >= {("photos", n) for n in names}
    assert {a for _, a, _ in left} == {"photos", "share-cards"} and {x for x, _, _ in left} == {"delete"}
    assert sorted(p.name for p in folder.iterdir()) == sorted(names)   # still there, and remembered

    deliver(app)            # the sender's pass: the store still refuses; the tasks wait, tried again later
    with app.app_context():
        rows = list(db.session.execute(db.select(StoreTask)).scalars())
        assert rows and all(r.attempts >= 1 and "down" in r.last_error for r in rows)
    for store in failing.values():
        store.broken = False
    deliver(app)            # not due yet: a minute must pass
    assert waiting(app)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["store-tasks"])
    assert result.exit_code == 0 and "0 waiting" in result.output, result.output
    assert waiting(app) == [] and not list(folder.iterdir()) and not list(cards.glob("story-*"))


@pytest.mark.both_databases
def test_a_retry_never_brings_back_a_public_copy_taken_down_since(make_app, tmp_path):
    app = make_app(PHOTO_PUBLIC_URL="https://photos.example.org")
    with app.app_context():
        tasks.plan(tasks.publishes(["a-photo.jpg"]))
        db.session.commit()
        tasks.plan(tasks.deletes(storage.PUBLIC, ["a-photo.jpg"]))
        db.session.commit()
        assert [(t.action, t.name) for t in tasks.waiting()] == [("delete", "a-photo.jpg")]
        db.session.info.pop(tasks.COMMITTED, None)


# Public copies for a bucket or a CDN (PHOTO_PUBLIC_URL) ----------------------------------------------------

@pytest.mark.both_databases
def test_with_a_public_url_only_public_memorials_photos_are_in_the_public_area(make_app, s3_server, s3_bucket):
    app = make_app(**s3_server.settings(s3_bucket), PHOTO_PUBLIC_URL="https://photos.example.org/site/public/")
    client = app.test_client()
    story_id, manage = share(app, client)
    names = photo_names(app, story_id)
    assert s3_server.keys(s3_bucket, "site/public/") == []
    assert client.get(f"/stories/photos/{names[0]}").status_code == 404   # not public: no redirect either

    with app.app_context():
        make_moderator()
    moderator = app.test_client()
    assert sign_in(moderator).status_code == 302
    page = moderator.get(f"/moderate/stories/{story_id}").get_data(as_text=True)
    moderator.post(f"/moderate/stories/{story_id}", data={"csrf_token": csrf_token(page), "action": "approve",
                                                          "reason": ""})
    assert s3_server.keys(s3_bucket, "site/public/") == sorted(f"site/public/{n}" for n in names)
    answer = client.get(f"/stories/photos/{names[0]}")
    assert answer.status_code == 302 and answer.headers["Location"] == f"https://photos.example.org/site/public/{names[0]}"

    page = moderator.get(f"/moderate/stories/{story_id}").get_data(as_text=True)
    moderator.post(f"/moderate/stories/{story_id}", data={"csrf_token": csrf_token(page), "action": "unpublish",
                                                          "reason": "The family asked us to."})
    assert s3_server.keys(s3_bucket, "site/public/") == []          # the public copies went at once
    assert len(s3_server.keys(s3_bucket, "site/photos/")) == 2      # the photos themselves stay, private
    assert moderator.get(f"/moderate/photos/{names[0]}").status_code == 200
    assert client.get(f"/stories/photos/{names[0]}").status_code == 404
    assert withdraw(client, manage).status_code == 200
    assert s3_server.keys(s3_bucket) == [] and waiting(app) == []


# Moving every photo to another store -------------------------------------------------------------------

@pytest.mark.both_databases
def test_move_photos_copies_every_photo_checks_each_and_can_be_run_again(make_app, s3_server, s3_bucket):
    app = make_app()
    client = app.test_client()
    stories = [share(app, client, name=f"Person Number {n}") for n in range(3)]
    for story_id, _ in stories[:2]:
        approve(app, story_id)
    names = [n for story_id, _ in stories for n in photo_names(app, story_id)]
    settings = s3_server.settings(s3_bucket)
    with app.app_context():
        app.config.update({k: v for k, v in settings.items() if k != "PHOTO_STORE_URL"})
        # A move that stopped part of the way: two photos copied before it was interrupted.
        done = move(names[:2], photos.store(), storage.open_store(settings["PHOTO_STORE_URL"], "photos", app.config,
                                                                  app.instance_path))
        assert done.copied == 2 and done.ok
    # A copy that went wrong on the way (a different file under the name): found and copied again.
    s3_server.client().put_object(Bucket=s3_bucket, Key=f"site/photos/{names[2]}", Body=b"not the photo",
                                  Metadata={"sha256": "0" * 64})

    runner = app.test_cli_runner()
    result = runner.invoke(args=["move-photos", "--to", settings["PHOTO_STORE_URL"]])
    assert result.exit_code == 0, result.output
    assert "4 copied and checked, 2 already there, 0 missing from the source, 0 failed." in result.output
    assert s3_server.keys(s3_bucket) == sorted(f"site/photos/{n}" for n in names)
    for name in names:
        local = (Path(app.instance_path) / "photos" / name).read_bytes()
        assert s3_server.client().get_object(Bucket=s3_bucket, Key=f"site/photos/{name}")["Body"].read() == local

    again = runner.invoke(args=["move-photos", "--to", settings["PHOTO_STORE_URL"]])
    assert again.exit_code == 0 and "0 copied and checked, 6 already there" in again.output

    # The site now reads the bucket: the published photos are served from it, the folder is not needed.
    moved = make_app(**settings, INSTANCE_PATH=str(Path(app.instance_path).parent / "second-server"),
                     SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    served = moved.test_client().get(f"/stories/photos/{names[0]}")
    assert served.status_code == 200 and served.data == (Path(app.instance_path) / "photos" / names[0]).read_bytes()


@pytest.mark.both_databases
def test_move_photos_says_what_it_could_not_copy(make_app, tmp_path):
    app = make_app()
    client = app.test_client()
    story_id, _ = share(app, client)
    names = photo_names(app, story_id)
    (Path(app.instance_path) / "photos" / names[0]).write_bytes(b"changed on disk")   # no longer its hash
    (Path(app.instance_path) / "photos" / names[1]).unlink()
    result = app.test_cli_runner().invoke(args=["move-photos", "--to", f"file://{tmp_path / 'new'}"])
    assert result.exit_code == 1
    assert "0 copied and checked, 0 already there, 1 missing from the source, 1 failed." in result.output
    assert "does not match the hash in its name" in result.output
    bad = app.test_cli_runner().invoke(args=["move-photos", "--to", "ftp://example.org/photos"])
    assert bad.exit_code == 2 and "s3://BUCKET/PREFIX" in bad.output


class _PurgeLog(http.server.BaseHTTPRequestHandler):
    received: list[tuple[str, str | None]] = []
    refuse = False

    def do_POST(self):  # noqa: N802 (the standard library's name)
        if type(self).refuse:
            self.send_response(503)
            self.end_headers()
            return
        type(self).received.append((self.path, self.headers.get("Fastly-Key")))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def cdn():
    _PurgeLog.received, _PurgeLog.refuse = [], False
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _PurgeLog)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    server.server_close()


def test_a_withdrawn_memorial_is_purged_from_the_cdn_by_key_and_a_failed_purge_is_tried_again(make_app, cdn):
    """Every copy a CDN may keep names what it shows (Surrogate-Key); when a memorial goes, its key and the lists'
    are purged right after the decision, and a CDN that does not answer is asked again later."""
    app = make_app(CDN_PURGE_URL=f"http://127.0.0.1:{cdn}/purge/{{key}}", CDN_PURGE_HEADER="Fastly-Key: secret")
    client = app.test_client()
    story_id, manage = share(app, client)
    approve(app, story_id)
    with app.app_context():
        tasks.work_off(everything=True)   # approved outside a request: the sender's loop sends what was planned
    assert (f"/purge/memorial-{story_id}", "secret") in _PurgeLog.received and ("/purge/memorials", "secret") in \
        _PurgeLog.received
    with app.app_context():
        slug = db.session.get(Story, story_id).slug
    card = client.get(f"/stories/{slug}/share.jpg", buffered=True)
    assert card.status_code == 200 and f"memorial-{story_id}" in card.headers["Surrogate-Key"].split()

    _PurgeLog.received, _PurgeLog.refuse = [], True
    assert withdraw(client, manage).status_code == 200
    with app.app_context():
        waiting = db.session.execute(db.select(StoreTask.name).filter_by(action="purge")).scalars().all()
        assert sorted(waiting) == sorted([f"memorial-{story_id}", "memorials"])
    _PurgeLog.refuse = False
    with app.app_context():
        tasks.work_off(everything=True)
        assert db.session.execute(db.select(StoreTask).filter_by(action="purge")).first() is None
    assert sorted(path for path, _ in _PurgeLog.received) == sorted([f"/purge/memorial-{story_id}", "/purge/memorials"])


def test_a_photo_that_stops_showing_on_a_public_memorial_leaves_the_cdn_too(make_app, cdn):
    """A memory hidden by the family, or a gallery photo taken off, must not stay a year in a CDN: the memorial's
    key is purged right after the decision."""
    app = make_app(CDN_PURGE_URL=f"http://127.0.0.1:{cdn}/purge/{{key}}", CDN_PURGE_HEADER="Fastly-Key: secret")
    with app.app_context():
        story, _token = make_story()
        publish(story)
        photo = Photo(story_id=story.id, filename="memory.jpg", thumb_filename="memory-thumb.jpg", width=1, height=1,
                      purpose=PhotoPurpose.MEMORY.value, shown=True)
        db.session.add(photo)
        db.session.commit()
        tasks.work_off(everything=True)
        _PurgeLog.received = []
        photo.shown = False
        photos.shown_changed(photo)
        db.session.commit()
        tasks.work_off(everything=True)
        story_id = story.id
    assert _PurgeLog.received == [(f"/purge/memorial-{story_id}", "secret")]
