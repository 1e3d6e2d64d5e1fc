"""Memorials as families fill them, for screenshots, the speed benchmark and tests: a memorial with its photo, a
twelve-photo gallery, 50 messages and a few memories with photos and candles; one without any photo whose story
is 300 words; and a handful more with photos for the wall. Everything goes through the real services (processed
photos, moderators' approvals), inside a request context (mail carries links). The pictures are drawn here (landscapes, not people).
"""
from __future__ import annotations

import io
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from PIL import Image, ImageDraw, ImageFilter

from memorials.community import candles
from memorials.community.models import Condolence
from memorials.extensions import db
from memorials.gallery import queries as gallery_queries
from memorials.gallery import services as gallery
from memorials.memories import services as memories
from memorials.memories.models import Memory
from memorials.moderation import services as moderation
from memorials.moderation.accounts import create_moderator
from memorials.moderation.models import Moderator
from memorials.stories import photos
from memorials.stories.services import StoryInput, submit_story

PALETTES = [((250, 214, 165), (244, 162, 97), (42, 157, 143)), ((202, 240, 248), (144, 224, 239), (0, 119, 182)),
            ((255, 229, 217), (255, 202, 212), (157, 129, 137)), ((233, 245, 219), (181, 201, 154), (113, 131, 85)),
            ((254, 250, 224), (221, 161, 94), (96, 108, 56)), ((237, 242, 244), (141, 153, 174), (43, 45, 66))]

STORY = (
    "Danny loved fishing with his grandfather on Lake Erie, burnt pancakes on Sundays, and the Detroit Lions in "
    "every losing season. He was the first to arrive at every birthday and the last to leave, because someone had "
    "to help with the dishes, and he said it was the best part of the party.\n\n"
    "He worked at his uncle's garage after high school and could tell what was wrong with a car by the sound it "
    "made pulling into the lot. Customers asked for him by name. He saved for two years for a truck of his own, "
    "painted it a green nobody else liked, and drove his little sister to school in it every morning.\n\n"
    "After a back injury at work he was prescribed pills, and when they stopped, he found something else. We "
    "didn't know how scared he was. He fought it for three years, went to treatment twice, and had been clean for "
    "seven months when he took one pill a friend said was a painkiller. It was fentanyl.\n\n"
    "He was twenty-five. We want people to know he was funny and gentle and stubborn, that he called his mother "
    "every night at nine, and that he is missed every single day. If you are struggling, please reach out. If "
    "you love someone who is, carry naloxone, and tell them you love them today."
)
NAMES = ["Aunt Rosa", "Coach Miller", "Jenna from school", "The Alvarez family", "Marcus", "Pastor Evans",
         "Grandma June", "Tyler, his cousin", "Mrs. Patel, his teacher", "Lena"]
MESSAGES = ["We miss him every day. His laugh filled the kitchen.",
            "Danny fixed my car for free when I couldn't pay. I will never forget his kindness.",
            "Sending love to all of you. He was one of the good ones.",
            "I think of him every time I pass the lake. Rest easy, friend.",
            "Our hearts are with your family. Thank you for sharing his story."]
MEMORIES = [
    "The summer we were sixteen, Danny decided we would build a raft and float down the river to the lake. It "
    "sank in twenty minutes. We walked home soaking wet, laughing so hard we couldn't breathe, and he said it was "
    "the best boat he had ever owned.\n\nThat was Danny: every disaster became a story, and every story had you in it.",
    "He came to every one of my daughter's softball games, even the ones in the rain. He'd bring a thermos of hot "
    "chocolate for the whole bench. The girls called him Uncle Danny, and they still do.",
    "I was his teacher in fifth grade. He was the boy who noticed when someone was sitting alone at lunch, and "
    "went and sat with them. I have taught for thirty years and I remember that about him.",
]


def picture(seed: int, size=(1600, 1200)) -> bytes:
    """A soft landscape: sky, sun, hills, in one of a few warm palettes (a stand-in for a family's photo)."""
    rng = random.Random(seed)
    sky, light, land = PALETTES[seed % len(PALETTES)]
    image = Image.new("RGB", size, sky)
    draw = ImageDraw.Draw(image)
    width, height = size
    for y in range(height):
        t = y / height
        draw.line([(0, y), (width, y)], fill=tuple(int(sky[i] * (1 - t) + light[i] * t) for i in range(3)))
    sun = (rng.randint(width // 5, 4 * width // 5), rng.randint(height // 6, height // 2), rng.randint(60, 140))
    draw.ellipse((sun[0] - sun[2], sun[1] - sun[2], sun[0] + sun[2], sun[1] + sun[2]), fill=(255, 244, 214))
    for layer in range(3):
        base = height * (0.55 + 0.13 * layer)
        points = [(0, height)] + [(x, base + rng.randint(-60, 60)) for x in range(0, width + 200, 200)] + [(width, height)]
        shade = tuple(max(0, int(land[i] * (1 - 0.18 * layer))) for i in range(3))
        draw.polygon(points, fill=shade)
    image = image.filter(ImageFilter.GaussianBlur(2))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


@dataclass
class Demo:
    rich: object          # the memorial with everything (Story)
    rich_token: str
    plain: object         # no photo, a 300-word story
    plain_token: str


def _moderator() -> Moderator:
    found = db.session.execute(db.select(Moderator).where(Moderator.email == "demo@example.org")).scalar_one_or_none()
    if found is None:
        found, _ = create_moderator("demo@example.org", "a long demo password 1")
        db.session.commit()
    return found


def make_demo(messages: int = 50, gallery_photos: int = 12, others: int = 8) -> Demo:
    """The memorials above, published and approved through the services. Commits."""
    moderator = _moderator()
    rich, rich_token = submit_story(StoryInput(
        name="Daniel James Rivera", nickname="Danny", died=date(2023, 7, 2), born=date(1998, 3, 14), city="Dayton",
        state_code="OH", story_markdown=STORY, email="maria@example.org", submitter_name="Maria Rivera",
        relationship_to="mother", photo_alt="Danny on the lake at sunset, holding up a fish and grinning",
        fund_name="The Danny Rivera Memorial Scholarship", fund_url="https://example.org/danny-scholarship"),
        photos.process(picture(1, (1200, 1500))))
    written: list[str] = []
    new = [gallery.NewPhoto(photos.process(picture(10 + n)), f"Danny and his family, photo {n + 1}",
                            "Lake Erie, summer 2019" if n % 3 == 0 else None) for n in range(gallery_photos)]
    gallery.add(rich, new, written)
    db.session.commit()
    moderation.approve(rich, moderator)
    for item in gallery_queries.for_family(rich):
        gallery.approve(item, moderator)
    db.session.commit()
    start = datetime(2024, 1, 1)
    for n in range(messages):
        db.session.add(Condolence(story_id=rich.id, name=NAMES[n % len(NAMES)], message=MESSAGES[n % len(MESSAGES)],
                                  status="published", created_at=start + timedelta(hours=n)))
    for n, body in enumerate(MEMORIES):
        memory = memories.leave(rich, NAMES[(n + 3) % len(NAMES)], body, None,
                                photos.process(picture(40 + n)) if n != 1 else None,
                                "Two boys on a raft on the river" if n == 0 else None)
        memories.approve(memory, moderator)
        memory.created_at = start + timedelta(days=n)
    for day in range(30):
        for _ in range(day % 4 + 1):
            candles.light(rich.id, date(2024, 6, 1) + timedelta(days=day))
    db.session.commit()

    words = STORY.split()
    three_hundred = " ".join((words * 2)[:300])
    plain, plain_token = submit_story(StoryInput(
        name="Alicia Moreno Torres", nickname="Ali", died=date(2022, 11, 20), born=date(2001, 5, 2), city="San Antonio",
        state_code="TX", story_markdown=three_hundred, email="familia@example.org", language="en"), None)
    moderation.approve(plain, moderator)
    db.session.commit()
    for n in range(others):
        story, _ = submit_story(StoryInput(
            name=["Jordan Lee", "Samuel Okafor", "Emily Chen", "Marcus Reed", "Sofia Alvarez", "Tyler Brooks",
                  "Hannah Kim", "Luis Ortega", "Kayla Nguyen", "Devin Price"][n % 10],
            died=date(2021 + n % 3, 1 + n % 12, 3 + n), born=date(1990 + n, 2, 1), city="Columbus", state_code="OH",
            story_markdown=STORY[:400], email=f"family{n}@example.org", photo_alt="A sunset over the hills"),
            photos.process(picture(60 + n, (1200, 1200))))
        moderation.approve(story, moderator)
        db.session.commit()
    condolences_left = db.session.execute(db.select(db.func.count()).select_from(Condolence)).scalar()
    assert condolences_left >= messages
    assert db.session.execute(db.select(db.func.count()).select_from(Memory)).scalar() == len(MEMORIES)
    return Demo(rich, rich_token, plain, plain_token)
