"""Privilege gates on what members post: links and photos (trust levels, ADR 0008).

Services of reviews, questions and answers, chat and clubs (through
brand_clubs.services.access, which adds the club's exemptions) call these before they
write; the levels are in community.reputation.rules, the checks in trust_services.access_privilege
(site moderators hold every privilege). A link is what the stored HTML links: the body
is rendered by community.text.render_markdown, the renderer whose output is stored and
shown, and any <a> in it counts, so whatever that renderer turns into a link (a Markdown
link, an <https://...> autolink, a bare URL when it autolinks them) is gated alike.

An edit is gated on the links it adds (`access_new_links`): keeping links that are
already in the stored HTML needs no privilege, so whoever may edit a text with links
(a wiki answer's author after a Regular added one) can still fix its wording."""

import re
from html.parser import HTMLParser

from community.reputation import rules
from community.reputation.rules import Privilege
from community.reputation.trust_services import access_privilege

_LINK_TAG = re.compile(r"<a[\s>]", re.IGNORECASE)


def html_has_link(html: str) -> bool:
    """Whether rendered, sanitised HTML contains a link."""
    return bool(_LINK_TAG.search(html or ""))


def access_links(member, *, html: str, field: str) -> None:
    """A form error on `field` when `html` links somewhere and `member` may not post
    links yet (Privilege.POST_LINKS)."""
    if html_has_link(html):
        access_privilege(member, Privilege.POST_LINKS, field=field)


class _HrefCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hrefs: set[str] = set()

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            # An <a> without href still counts as a link (html_has_link); "" stands for it.
            self.hrefs.add(next((value or "" for name, value in attrs if name == "href"), ""))


def html_link_targets(html: str) -> set[str]:
    """The hrefs of every <a> in rendered, sanitised HTML (entities decoded)."""
    collector = _HrefCollector()
    collector.feed(html or "")
    collector.close()
    return collector.hrefs


def access_new_links(member, *, html: str, old_html: str, field: str) -> None:
    """Like access_links for an edit: a form error on `field` only when `html` links
    to an href that `old_html` (the stored version it replaces) did not, and `member`
    may not post links yet."""
    if not html_has_link(html):
        return
    if html_link_targets(html) - html_link_targets(old_html):
        access_privilege(member, Privilege.POST_LINKS, field=field)


def access_photo_count(member, *, count: int, field: str = "photos") -> None:
    """A form error on `field` when a post would carry more than
    rules.PHOTOS_BEFORE_BASIC photos and `member` may not add more yet."""
    if count > rules.PHOTOS_BEFORE_BASIC:
        access_privilege(member, Privilege.POST_MANY_PHOTOS, field=field)
