"""Safe rich text: Markdown rendered to HTML, then sanitised with nh3 (an allow-list).

Whatever a note or plan contains (<script>, onclick=, javascript: links), only the tags and
attributes below survive; everything else is escaped or dropped, so it renders inert.
"""
import threading

import markdown
import nh3
from markupsafe import Markup

TAGS = {
    "p", "br", "strong", "em", "b", "i", "u", "s", "del", "code", "pre", "blockquote", "hr",
    "ul", "ol", "li", "a", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
}
ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}
EXTENSIONS = ["sane_lists", "tables", "nl2br"]
_local = threading.local()


def _converter():
    # Building a Markdown parser costs more than converting a note; one per thread is reused.
    if not hasattr(_local, "converter"):
        _local.converter = markdown.Markdown(extensions=EXTENSIONS, output_format="html")
    return _local.converter.reset()


def render_markdown(text):
    """Markdown to sanitised HTML, safe to put in a page as is."""
    if not text:
        return Markup("")
    html = _converter().convert(text)
    clean = nh3.clean(
        html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)  # noqa: S704 - sanitised by nh3 just above # nosec B704
