"""Knowledge-base pages: their QAPage JSON-LD, and the index page's list.

`{% qa_page_json_ld page source %}` writes `<script type="application/ld+json">` with
the data of experts.selectors.knowledge.qa_page_data. JSON-LD cannot use Django's
json_script (that writes type="application/json"), so the same escaping is applied
here: `<`, `>` and `&` become \\u003C, \\u003E and \\u0026, which JSON parsers read
back as the same characters, so a title such as `</script><script>alert(1)</script>`
stays text inside the element."""

import json

from django import template
from django.utils.safestring import mark_safe

from experts.selectors import knowledge as selectors

register = template.Library()

JSON_SCRIPT_ESCAPES = {
    ord(">"): "\\u003E",
    ord("<"): "\\u003C",
    ord("&"): "\\u0026",
    # Line separators are legal in JSON but not in older JavaScript string literals.
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def json_ld_script(data: dict) -> str:
    text = json.dumps(data, ensure_ascii=False, sort_keys=False).translate(JSON_SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')


@register.simple_tag(takes_context=True)
def qa_page_json_ld(context, page, source):
    request = context.get("request")
    url = page.get_full_url(request) or ""
    return json_ld_script(selectors.qa_page_data(page=page, source=source, page_url=url))


@register.simple_tag
def knowledge_source(page):
    """The page's source question and the link back to it (one query per page: kept on
    the page object, since the <head> and the body both ask)."""
    source = getattr(page, "_knowledge_source", None)
    if source is None:
        source = selectors.knowledge_source(page=page)
        page._knowledge_source = source
    return source


@register.simple_tag(takes_context=True)
def knowledge_pages(context, index):
    """One page (?page=N) of the section's published answers."""
    request = context.get("request")
    number = request.GET.get("page") if request is not None else 1
    return selectors.knowledge_page_list(index=index, page=number)
