"""The posts API's response bodies, built by PostgreSQL in one query.

Posts read as model instances and rendered through nested serializers cost ten times the queries
themselves; built from `.values()` rows in Python, still three times (docs/benchmarks.md, "API speed":
the ORM compiling five queries, psycopg converting ~400 datetimes, a dict per row). Here one query
builds every body of a page as JSON, in the order asked for, with the API's field order and formats:
datetimes as DRF renders them (UTC, "Z", microseconds only when there are any), retries from the
engine's attempt count, tags sorted by code point. Python parses it (orjson) and adds what only it
can: the signed media URLs, and floats that JSON wrote as integers (a duration of 12.0).

Finished bodies are kept between requests (body_cache.py) under the fingerprint of the rows they were
built from; a page of posts the cache holds costs one query reading the fingerprints, then builds only
the bodies whose rows changed, so unchanged posts cost PostgreSQL no JSON and Python no parsing or
signing.

PostSerializer declares the same fields for the OpenAPI schema and renders through `post_bodies_of`;
tests/api/test_post_representation.py holds these bodies to DRF's generic output of those fields.
"""

from django.db import connection

from config.renderers import FastJSONRenderer, PreRendered, loads
from media.public import signed_url

from . import body_cache


def _iso(column):
    """SQL for a timestamptz as config.datetimes.iso renders it: 2031-03-30T00:00:00Z, or with .ffffff.

    to_char's .US always writes six digits, and ".000000Z" can only be its end: one to_char and one
    replace cost PostgreSQL about a fifth less than a CASE choosing between two formats."""
    return f"replace(to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), '.000000Z', 'Z')"


_ATTEMPTS = f"""COALESCE((
    SELECT json_agg(json_build_object(
        'kind', pa.kind, 'attempt_number', pa.attempt_number, 'started_at', {_iso("pa.started_at")},
        'finished_at', {_iso("pa.finished_at")}, 'outcome', pa.outcome, 'error_class', pa.error_class,
        'http_status', pa.http_status, 'message', pa.message
    ) ORDER BY pa.started_at, pa.id)
    FROM social_media_publishattempt pa WHERE pa.target_id = t.id
), '[]'::json)"""

# first_comments: the target's delivery (FirstCommentDeliverySerializer), the post's comment (FirstCommentSerializer).
_DELIVERY = f"""(
    SELECT json_build_object(
        'status', d.status, 'due_at', {_iso("d.due_at")}, 'posted_at', {_iso("d.posted_at")}, 'url', d.url,
        'platform_comment_id', d.platform_comment_id, 'attempts', d.attempts, 'error_message', d.error_message
    ) FROM first_comments_firstcommentdelivery d WHERE d.target_id = t.id
)"""
_FIRST_COMMENT = """(
    SELECT json_build_object('content', fc.content, 'delay_seconds', fc.delay_seconds)
    FROM first_comments_firstcomment fc WHERE fc.post_id = p.id
)"""

# threads (docs/threads.md): a target's published parts, and the post's parts after the first.
_PARTS = f"""COALESCE((
    SELECT json_agg(json_build_object(
        'position', pp.position, 'platform_post_id', pp.platform_post_id, 'platform_post_url', pp.platform_post_url,
        'posted_at', {_iso("pp.posted_at")}
    ) ORDER BY pp.position)
    FROM social_media_targetpartpublication pp WHERE pp.target_id = t.id
), '[]'::json)"""
_THREAD = """COALESCE((
    SELECT json_agg(json_build_object('position', tp.position, 'content', tp.content, 'media_ids', tp.media_ids) ORDER BY tp.position)
    FROM social_media_threadpart tp WHERE tp.post_id = p.id
), '[]'::json)"""

_TARGETS = f"""COALESCE((
    SELECT json_agg(json_build_object(
        'id', t.id, 'account', t.account_id, 'platform', a.platform, 'account_username', a.platform_username,
        'custom_content', t.custom_content, 'platform_specific_settings', t.platform_specific_settings, 'status', t.status,
        'platform_post_id', t.platform_post_id, 'platform_post_url', t.platform_post_url, 'error_message', t.error_message,
        'retry_count', GREATEST(t.retry_count - 1, 0), 'last_attempt_at', {_iso("t.last_attempt_at")},
        'next_attempt_at', {_iso("t.next_attempt_at")}, 'posted_at', {_iso("t.posted_at")}, 'attempts', {_ATTEMPTS},
        'first_comment', {_DELIVERY},
        'parts', {_PARTS}
    ) ORDER BY t.id)
    FROM social_media_posttarget t JOIN social_media_connectedaccount a ON a.id = t.account_id WHERE t.post_id = p.id
), '[]'::json)"""

# The keys of media.serializers.media_body, in its order; "url" and "thumbnail_url" carry the stored
# names until Python signs them.
_MEDIA = f"""COALESCE((
    SELECT json_agg(json_build_object(
        'id', m.id, 'media_type', m.media_type, 'mime_type', m.mime_type, 'original_filename', m.original_filename,
        'file_size', m.file_size, 'width', m.width, 'height', m.height, 'duration', m.duration, 'alt_text', m.alt_text,
        'url', m.file, 'thumbnail_url', m.thumbnail, 'status', m.status, 'status_reason', m.status_reason,
        'processed_with', m.processed_with, 'video_info', m.video_info, 'folder', m.folder_id,
        'tags', COALESCE((
            SELECT json_agg(tag.name ORDER BY tag.name COLLATE "C")
            FROM media_mediafile_tags mt JOIN media_mediatag tag ON tag.id = mt.mediatag_id WHERE mt.mediafile_id = m.id
        ), '[]'::json),
        'sha256', m.sha256, 'created_at', {_iso("m.created_at")}, 'order', pm."order"
    ) ORDER BY pm."order", pm.id)
    FROM social_media_postmedia pm JOIN media_mediafile m ON m.id = pm.media_id WHERE pm.post_id = p.id
), '[]'::json)"""

# Every row a body is built from, named by (id,) xmin and ctid: a row's xmin changes with each
# transaction that writes it and its ctid with each write inside one, so any change to the post, its
# queue entry, targets, their accounts and attempts, attachments, files, tag links or tags gives the post
# another fingerprint, and so does a row added or removed. Reading these rows costs PostgreSQL about a
# fifth of building the bodies (docs/benchmarks.md, "API speed").
_FINGERPRINT = """md5(concat_ws('|', p.xmin, p.ctid,
    (SELECT string_agg(concat_ws('.', t.id, t.xmin, t.ctid, a.id, a.xmin, a.ctid,
        (SELECT string_agg(concat_ws('.', pa.id, pa.xmin, pa.ctid), ',' ORDER BY pa.id)
         FROM social_media_publishattempt pa WHERE pa.target_id = t.id)), ',' ORDER BY t.id)
     FROM social_media_posttarget t JOIN social_media_connectedaccount a ON a.id = t.account_id WHERE t.post_id = p.id),
    (SELECT string_agg(concat_ws('.', pm.id, pm.xmin, pm.ctid, m.id, m.xmin, m.ctid), ',' ORDER BY pm.id)
     FROM social_media_postmedia pm JOIN media_mediafile m ON m.id = pm.media_id WHERE pm.post_id = p.id),
    (SELECT string_agg(concat_ws('.', pm.id, mt.id, mt.xmin, mt.ctid, tag.id, tag.xmin, tag.ctid), ',' ORDER BY pm.id, mt.id)
     FROM social_media_postmedia pm JOIN media_mediafile_tags mt ON mt.mediafile_id = pm.media_id
     JOIN media_mediatag tag ON tag.id = mt.mediatag_id WHERE pm.post_id = p.id),
    (SELECT string_agg(concat_ws('.', tp.id, tp.xmin, tp.ctid), ',' ORDER BY tp.id) FROM social_media_threadpart tp WHERE tp.post_id = p.id),
    (SELECT string_agg(concat_ws('.', pp.id, pp.xmin, pp.ctid), ',' ORDER BY pp.id)
     FROM social_media_targetpartpublication pp JOIN social_media_posttarget t ON t.id = pp.target_id WHERE t.post_id = p.id),
    (SELECT concat_ws('.', q.id, q.xmin, q.ctid) FROM social_media_queuedpost q WHERE q.post_id = p.id),
    (SELECT concat_ws('.', fc.id, fc.xmin, fc.ctid) FROM first_comments_firstcomment fc WHERE fc.post_id = p.id),
    (SELECT string_agg(concat_ws('.', d.id, d.xmin, d.ctid), ',' ORDER BY d.id)
     FROM first_comments_firstcommentdelivery d JOIN social_media_posttarget t ON t.id = d.target_id WHERE t.post_id = p.id)
))"""

# %s: the post ids in the order wanted, and a workspace id (or NULL for any).
_WANTED = """FROM unnest(%s::bigint[]) WITH ORDINALITY AS wanted(id, ord)
JOIN social_media_post p ON p.id = wanted.id
WHERE %s::bigint IS NULL OR p.workspace_id = %s::bigint
ORDER BY wanted.ord"""

# A row per post found: its id, the fingerprint of its rows and its body, read in one snapshot.
POST_BODIES_SQL = f"""
SELECT p.id, {_FINGERPRINT}, json_build_object(
    'id', p.id, 'content', p.content, 'status', p.status, 'scheduled_time', {_iso("p.scheduled_time")},
    'posted_at', {_iso("p.posted_at")}, 'author', p.author_id,
    'queue', (SELECT q.queue_id FROM social_media_queuedpost q WHERE q.post_id = p.id),
    'targets', {_TARGETS}, 'media', {_MEDIA}, 'first_comment', {_FIRST_COMMENT},
    'thread', {_THREAD},
    'created_at', {_iso("p.created_at")}, 'updated_at', {_iso("p.updated_at")}
)::text
{_WANTED}
"""

# A row per post found: its id and the fingerprint alone (a statement a third the size to plan).
FINGERPRINTS_SQL = f"SELECT p.id, {_FINGERPRINT}\n{_WANTED}"


def finish_media(media):
    """What the query cannot do: sign the stored names, and keep a float a float."""
    media["url"] = signed_url(media["url"], media["mime_type"])
    media["thumbnail_url"] = signed_url(media["thumbnail_url"], "image/jpeg") if media["thumbnail_url"] else None
    if media["duration"] is not None:
        media["duration"] = float(media["duration"])


_RENDERER = FastJSONRenderer()


def _finished(text) -> bytes:
    """A body from the query, signed and written as the API's renderer writes it."""
    body = loads(text)
    for media in body["media"]:
        finish_media(media)
    return _RENDERER.render(body)  # orjson; DRF's encoder for an integer beyond 64 bits


def _build(cursor, ids, workspace_id) -> dict[int, tuple[str, bytes]]:
    cursor.execute(POST_BODIES_SQL, [ids, workspace_id, workspace_id])
    return {post_id: (fingerprint, _finished(text)) for post_id, fingerprint, text in cursor.fetchall()}


def rendered_post_bodies(ids, *, workspace_id=None) -> list[PreRendered]:
    """Response bodies of the posts `ids` (of `workspace_id`, when given), in that order, written as JSON.

    With no body held in the cache: one query builds them all. Otherwise one query reads the posts'
    fingerprints, and a second builds only the bodies whose rows changed since they were kept."""
    ids = list(ids)
    if not ids:
        return []
    held = body_cache.held(ids)
    with connection.cursor() as cursor:
        if not held:
            made = _build(cursor, ids, workspace_id)
            found = list(made)
        else:
            cursor.execute(FINGERPRINTS_SQL, [ids, workspace_id, workspace_id])
            rows = cursor.fetchall()
            stale = {post_id for post_id, fingerprint in rows if held.get(post_id, ("",))[0] != fingerprint}
            made = _build(cursor, sorted(stale), workspace_id) if stale else {}
            found = [post_id for post_id, _ in rows if post_id in made or post_id not in stale]  # not deleted meanwhile
    body_cache.keep(made)
    return [PreRendered(made[post_id][1] if post_id in made else held[post_id][1]) for post_id in found]


def post_bodies(ids, *, workspace_id=None) -> list[dict]:
    """The same bodies as Python values (for callers that read or change them)."""
    return [body.data() for body in rendered_post_bodies(ids, workspace_id=workspace_id)]


def post_bodies_of(posts) -> list[dict]:
    """Bodies of these Post instances (or ids), in their order."""
    return post_bodies([getattr(post, "pk", post) for post in posts])
