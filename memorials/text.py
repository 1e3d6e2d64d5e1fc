"""The only path from user text to HTML: Markdown, then a bleach allowlist, then Markup.

Raw HTML typed into a story is shown as text, never passed through: the Markdown
parser's HTML handling is switched off, so "<b>" arrives in the page as "&lt;b&gt;".
What Markdown makes is then cleaned against a short allowlist, and links are limited
to http, https and mailto and marked rel="nofollow ugc noopener".
"""
from __future__ import annotations

import re
from functools import partial

import bleach
import markdown
from bleach.linkifier import LinkifyFilter
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup, escape
from xml.etree.ElementTree import SubElement

ALLOWED_TAGS = frozenset({"p", "br", "em", "strong", "ul", "ol", "li", "blockquote", "a"})
ALLOWED_ATTRIBUTES = {"a": ["href", "title", "rel"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"


class _Simplify(Treeprocessor):
    """Headings become bold paragraphs (the page owns its headings); images become their
    alt text (a story must not load pictures from other sites)."""

    def run(self, root):
        for element in root.iter():
            if element.tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
                text, tail, children = element.text, element.tail, list(element)
                element.clear()
                element.tag, element.tail = "p", tail
                strong = SubElement(element, "strong")
                strong.text = text
                strong.extend(children)
            for child in list(element):
                if child.tag == "img":
                    alt = child.get("alt") or ""
                    index = list(element).index(child)
                    previous = element[index - 1] if index else None
                    joined = alt + (child.tail or "")
                    if previous is None:
                        element.text = (element.text or "") + joined
                    else:
                        previous.tail = (previous.tail or "") + joined
                    element.remove(child)


class _StoryMarkdown(markdown.Extension):
    """Treat raw HTML in the input as text and simplify what the page should not carry."""

    def extendMarkdown(self, md):  # noqa: N802 (Markdown's API name)
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_Simplify(md), "simplify", 5)


def _set_rel(attrs, new=False):
    if not attrs.get((None, "href")):
        return None  # a link whose address was refused keeps its text and loses the link
    attrs[(None, "rel")] = LINK_REL
    return attrs


_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    filters=[partial(LinkifyFilter, callbacks=[_set_rel], parse_email=False)],
)


def render_markdown(source: str) -> Markup:
    """User Markdown to safe HTML (a Markup string ready for templates)."""
    html = markdown.markdown(
        source or "",
        extensions=[_StoryMarkdown(), "sane_lists", "nl2br"],
        output_format="html",
    )
    return Markup(_cleaner.clean(html))


def plain_excerpt(source: str, length: int = 200) -> str:
    """A short plain-text summary of user Markdown, for share cards and lists."""
    html = markdown.markdown(source or "", extensions=[_StoryMarkdown()])
    text = bleach.clean(html, tags=set(), strip=True)
    # bleach leaves entities such as &amp; in place; templates escape again, so undo them.
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= length:
        return text
    cut = text[:length].rsplit(" ", 1)[0].rstrip(",.;:")
    return cut + "…"


def stored_html(html: str | None) -> Markup:
    """HTML that render_markdown made earlier and the database kept, marked safe again.

    Only call this on values written from render_markdown's output (StoryVersion.story_html).
    """
    return Markup(html or "")


def plain_text_html(source: str | None) -> Markup:
    """Plain text that visitors leave (condolences, reports) as HTML: every character escaped, no
    Markdown, no links made; a blank line starts a paragraph and a single line break stays a <br>."""
    text = (source or "").replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = [part.strip() for part in re.split(r"\n[ \t]*\n", text) if part.strip()]
    return Markup("".join(
        "<p>" + "<br>\n".join(str(escape(line.rstrip())) for line in part.split("\n")) + "</p>"
        for part in paragraphs
    ))


def one_line(value):
    """Words on one line: line breaks, tabs and runs of spaces made one space (a name, a caption, a search).
    Anything but text (None, a file) as it is; control characters never get here (web.py removes them)."""
    return " ".join(value.split()) if isinstance(value, str) else value
