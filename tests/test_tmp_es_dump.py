import html, re
from memorials.extensions import db
from memorials.stories.models import Story
from .factories import make_moderator, make_story, sign_in
from .forms import csrf_token

def visible(page):
    page = re.sub(r"(?s)<(script|style|head)[^>]*>.*?</\1>", " ", page)
    page = re.sub(r"(?s)<[^>]+>", "\n", page)
    return "\n".join(l.strip() for l in html.unescape(page).splitlines() if l.strip())

def test_dump(app, client):
    with app.app_context():
        make_moderator(admin=True)
        s, _ = make_story()
        sid = s.id
    sign_in(client)
    page = client.get(f"/es/moderate/stories/{sid}").get_data(as_text=True)
    client.post(f"/es/moderate/stories/{sid}", data={"csrf_token": csrf_token(page), "action": "request_changes", "reason": "Por favor"})
    out = []
    for url in ["/es/moderate/", f"/es/moderate/stories/{sid}", "/es/moderate/log", "/es/moderate/account", "/es/moderate/team/", "/es/moderate/campaigns/", "/es/moderate/campaigns/new", "/es/moderate/invitation/nope"]:
        r = client.get(url)
        out.append(f"===== {url} {r.status_code}\n" + visible(r.get_data(as_text=True)))
    p = client.get("/es/moderate/campaigns/new").get_data(as_text=True)
    r = client.post("/es/moderate/campaigns/new", data={"csrf_token": csrf_token(p)})
    out.append("===== campaign errors\n" + visible(r.get_data(as_text=True)))
    open("/tmp/es_dump.txt", "w").write("\n".join(out))
