"""The calendar's feed: every post of a workspace in a window, as the JSON FullCalendar reads, built by
PostgreSQL in one query.

Every post in the window is in the feed, however many (a month of 3,000 posts is ~470 KB); the page
shows a few per day cell and "+N more" (dayMaxEvents), the list view all of them. Each event carries
only what the calendar draws: its id, the title (the text's first 60 characters), the wall-clock start
in the user's time zone (FullCalendar with a named zone and no time-zone plugin reads times as wall
clock), the status (colour and label), the ids of its accounts in id order (the page names them from
its account filter), `editable` when it can be dragged, and `thumb`, the id of the first attached
file with a thumbnail, when there is one, and `parts`, how many posts a thread has (docs/threads.md; a
thread is one event, whatever its parts). A post sits at its publish time once posted, else at its
scheduled time: COALESCE(posted_at, scheduled_time), the expression the partial index
post_calendar_idx covers, so the query reads the window's rows alone however long the history.

Times are converted by PostgreSQL (`AT TIME ZONE`, as Django's own date functions do). Its time-zone
database and Python's (the profile's list) hold the same names today; a name only Python knew would
raise DataError, which the view answers as a 400 saying so.
"""

from django.db import connection

from social_media.models import Status
from social_media.services.posts import SCHEDULED_STATUSES

TITLE_LENGTH = 60

# %(…)s parameters: workspace, tz, start, end, can_edit, draggable, title, draft, account (or NULL),
# status (or NULL). One json_agg of the rows, with the keys whose value is NULL dropped once at the end
# (a fifth cheaper than a json_build_object per row). The accounts come from the (post, account) unique
# index alone; the thumbnail is the first attachment, in the post's order, that has one.
FEED_SQL = """
SELECT COALESCE(json_strip_nulls(json_agg(event)), '[]'::json)::text FROM (
    SELECT p.id,
        CASE WHEN p.content = '' THEN '(no text)'
             WHEN char_length(p.content) > %(title)s THEN left(p.content, %(title)s - 1) || '…'
             ELSE p.content END AS title,
        to_char(COALESCE(p.posted_at, p.scheduled_time) AT TIME ZONE %(tz)s, 'YYYY-MM-DD"T"HH24:MI:SS') AS start,
        p.status,
        ARRAY(SELECT t.account_id FROM social_media_posttarget t WHERE t.post_id = p.id ORDER BY t.account_id) AS accounts,
        CASE WHEN %(can_edit)s AND p.status = ANY(%(draggable)s) THEN true END AS editable,
        (SELECT m.id FROM social_media_postmedia pm JOIN media_mediafile m ON m.id = pm.media_id
         WHERE pm.post_id = p.id AND m.thumbnail <> '' ORDER BY pm."order", pm.id LIMIT 1) AS thumb,
        (SELECT count(*) + 1 FROM social_media_threadpart tp WHERE tp.post_id = p.id HAVING count(*) > 0) AS parts
    FROM social_media_post p
    WHERE p.workspace_id = %(workspace)s
      AND p.status <> %(draft)s
      AND COALESCE(p.posted_at, p.scheduled_time) >= %(start)s
      AND COALESCE(p.posted_at, p.scheduled_time) < %(end)s
      AND (%(status)s::text IS NULL OR p.status = %(status)s::text)
      AND (%(account)s::bigint IS NULL OR EXISTS (
          SELECT 1 FROM social_media_posttarget a WHERE a.post_id = p.id AND a.account_id = %(account)s::bigint))
    ORDER BY COALESCE(p.posted_at, p.scheduled_time), p.id
) event
"""


def calendar_feed(*, workspace_id, start, end, tz_name, can_edit, account_id=None, status=None) -> str:
    """The feed's JSON text: the workspace's posts (drafts aside) whose time is in [start, end), in
    time order, filtered by account and status when given."""
    params = {
        "workspace": workspace_id, "tz": tz_name, "start": start, "end": end, "can_edit": can_edit,
        "draggable": sorted(SCHEDULED_STATUSES), "title": TITLE_LENGTH, "draft": Status.DRAFT,
        "account": account_id, "status": status,
    }
    with connection.cursor() as cursor:
        cursor.execute(FEED_SQL, params)
        return cursor.fetchone()[0]
