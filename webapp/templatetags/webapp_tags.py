"""Presentation helpers: the composer's preview marks links, mentions and hashtags as a network shows them."""

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()

TOKEN = re.compile(r"(?P<link>https?://[^\s<]+)|(?P<mention>(?<![\w@])@[\w.@-]+\w)|(?P<tag>(?<![\w#])#\w+)")


@register.filter
def preview_text(text):
    parts, last = [], 0
    text = text or ""
    for match in TOKEN.finditer(text):
        parts.append(escape(text[last:match.start()]))
        kind = match.lastgroup
        parts.append(f'<span class="{kind}">{escape(match.group())}</span>')
        last = match.end()
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts))


@register.simple_tag
def assistant_enabled():
    """Whether the writing assistant has a provider on this server (its panels show only then)."""
    from assistant.services import is_enabled

    return is_enabled()
