"""How fast the memorial pages answer with many stories: `python -m bench.stories_pages`.

Seeds N published stories into a throwaway SQLite database, then times the pages a visitor
opens most (the front page, the list, one memorial) through the WSGI app, counting SQL
statements per page (they must not grow with the number of stories listed).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from memorials import create_app  # noqa: E402
from memorials.extensions import db  # noqa: E402
from memorials.moderation import services as moderation  # noqa: E402
from memorials.stories.services import StoryInput, submit_story  # noqa: E402

TEXT = ("She loved horses, thunderstorms and her little brother. " * 30).strip()


def seed(count: int) -> str:
    moderator, _ = moderation.create_moderator("bench@example.org", "bench password 123")
    slug = ""
    for n in range(count):
        story, _ = submit_story(StoryInput(name=f"Person Number {n}", died=date(2023, 1 + n % 12, 1),
                                           story_markdown=TEXT, email="bench@example.org",
                                           born=date(1995, 1, 1), city="Dayton", state_code="OH"), None)
        moderation.approve(story, moderator)
        slug = story.slug
    db.session.commit()
    return slug


def measure(client, url: str, repeat: int, engine) -> tuple[float, float, int]:
    statements = [0]

    def count(*_):
        statements[0] += 1

    client.get(url)  # warm up templates
    timings = []
    event.listen(engine, "before_cursor_execute", count)
    try:
        for _ in range(repeat):
            statements[0] = 0
            start = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (url, response.status_code)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return statistics.median(timings), max(timings), statements[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stories", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"INSTANCE_PATH": folder, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite3",
                          "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False})
        with app.app_context():
            db.create_all()
            start = time.perf_counter()
            slug = seed(args.stories)
            seeded = time.perf_counter() - start
            client = app.test_client()
            print(f"seeded {args.stories} published stories in {seeded:.1f} s (SQLite)")
            print(f"{'page':32} {'median ms':>10} {'max ms':>8} {'SQL statements':>15}")
            for url in ("/", "/stories/", "/stories/?page=40", f"/stories/{slug}"):
                median, worst, statements = measure(client, url, args.repeat, db.engine)
                print(f"{url:32} {median:10.2f} {worst:8.2f} {statements:15d}")
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
