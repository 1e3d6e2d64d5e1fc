"""User text becomes HTML only through memorials/text.py: Markdown, then a short allowlist."""
from __future__ import annotations

from markupsafe import Markup

from memorials.text import plain_excerpt, render_markdown


def test_raw_html_is_shown_as_text_never_passed_through():
    html = render_markdown('Hello <script>alert("x")</script> <b>bold</b> <img src=x onerror=alert(1)>')
    assert "<script" not in html and "<b>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    assert isinstance(html, Markup)


def test_markdown_keeps_paragraphs_emphasis_lists_quotes_and_links():
    html = render_markdown("First *soft* and **strong**\n\n- one\n- two\n\n> a quote\n\n[his band](https://example.org/band)")
    for piece in ("<p>First <em>soft</em> and <strong>strong</strong></p>", "<li>one</li>",
                  "<blockquote>", 'href="https://example.org/band"', 'rel="nofollow ugc noopener"'):
        assert piece in html


def test_links_are_limited_to_http_https_and_mailto():
    html = render_markdown("[bad](javascript:alert(1)) [data](data:text/html,hi) [mail](mailto:a@b.org) [ftp](ftp://x.org)")
    assert "javascript:" not in html and "data:" not in html and "ftp:" not in html
    assert 'href="mailto:a@b.org"' in html
    assert "bad" in html  # the words stay, the link goes


def test_bare_addresses_become_links_with_rel():
    html = render_markdown("See https://example.org/memorial for more")
    assert '<a href="https://example.org/memorial" rel="nofollow ugc noopener">' in html


def test_images_and_headings_do_not_reach_the_page():
    html = render_markdown("# Our boy\n\n![tracking pixel](https://tracker.example/p.gif)")
    assert "<img" not in html and "<h1" not in html and "tracker.example" not in html
    assert "<strong>Our boy</strong>" in html and "tracking pixel" in html


def test_excerpt_is_plain_and_short():
    text = plain_excerpt("**Bold** <i>tag</i> " + "word " * 100, 60)
    assert text.startswith("Bold <i>tag</i>")
    assert len(text) <= 61 and text.endswith("…")
