"""Links to published posts, as networks return them: stored only when they are web addresses.

A network's answer is not trusted to be one: a hostile Mastodon instance can answer `"url":
"javascript:..."`, which the post page would render as a link and the API would hand to clients. Every
path that stores a link a network returned (publishing, reconciling, staff resolving) goes through
`post_link`, which keeps an absolute http(s) URL that fits the column and drops anything else, with a
note for the target saying so.
"""

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from social_media.models import PostTarget

_validate = URLValidator(schemes=["http", "https"])
DROPPED_NOTE = "Published, but the network's link to the post was not a web address (http/https), so it was not stored."


def post_link(url) -> tuple[str, str]:
    """(link to store, note for the target): (url, "") for an http(s) URL that fits the column, ("", "")
    for no link, ("", DROPPED_NOTE) for anything else."""
    if url is None or url == "":
        return "", ""
    limit = PostTarget._meta.get_field("platform_post_url").max_length
    if not isinstance(url, str) or len(url) > limit or url != url.strip():
        return "", DROPPED_NOTE
    try:
        _validate(url)
    except ValidationError:
        return "", DROPPED_NOTE
    return url, ""
