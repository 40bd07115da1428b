"""Response bodies the Threads fake answers with, copied from Meta's Threads API documentation
(developers.facebook.com/docs/threads, fetched 2026-12): "Get Access Tokens and Permissions",
"Long-Lived Access Tokens", "Threads Posts", "Troubleshooting" (container status), "Overview"
(threads_publishing_limit), "Insights", "Delete Posts". Error bodies follow the Graph API error shape
(`{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}`) with Meta's codes.
"""

SHORT_LIVED_TOKEN = {"access_token": "THQVJ...", "user_id": 1234567890}
LONG_LIVED_TOKEN = {"access_token": "THQVJ...", "token_type": "bearer", "expires_in": 5183944}
CONTAINER_STATUS = {"status": "FINISHED", "id": "17889615691921648"}
CONTAINER_ERROR = {"status": "ERROR", "id": "17889615691921648", "error_message": "FAILED_DOWNLOADING_VIDEO"}
PUBLISHING_LIMIT = {"data": [{"quota_usage": 4, "config": {"quota_total": 250, "quota_duration": 86400}}]}
INSIGHT = {"name": "likes", "period": "lifetime", "values": [{"value": 100}], "title": "likes",
           "description": "The number of likes on your post.", "id": "1234567/insights/likes/lifetime"}
DELETED = {"success": True, "deleted_id": "1234567"}


def error(message, code, *, subcode=None, type_="OAuthException"):
    body = {"message": message, "type": type_, "code": code, "fbtrace_id": "AbCdEfGhIjK"}
    if subcode is not None:
        body["error_subcode"] = subcode
    return {"error": body}


EXPIRED_TOKEN = error("Error validating access token: Session has expired on Tuesday, 01-Dec-26 10:00:00 PST.", 190, subcode=463)
REVOKED_TOKEN = error("Error validating access token: The user has not authorized application.", 190, subcode=458)
INVALID_TOKEN = error("Invalid OAuth access token - Cannot parse access token", 190)
NOT_READY = error("The media is not ready for publishing, please wait for a moment", 9007, subcode=2207027)
QUOTA_REACHED = error("You have reached the maximum number of posts that is allowed to be published in 24 hours.", 9, subcode=2207042)
# The replies quota (1,000 in 24 hours, "Retrieve and Manage Replies"): Meta documents no body for it; the
# posts quota's code is assumed, the sentence is ours.
REPLY_QUOTA_REACHED = error("You have reached the maximum number of replies that is allowed to be published in 24 hours.", 9, subcode=2207042)
UNEXPECTED = error("An unexpected error has occurred. Please retry your request later.", 2, type_="OAuthException")
# The error code Threads' "Text attachments" docs name for more than 5 links (since 2025-12-22); the docs give the
# code, not the whole body, so it is carried in the Graph error shape's message with code 100 (invalid parameter).
LINK_LIMIT_EXCEEDED = error("THREADS_API__LINK_LIMIT_EXCEEDED: posts may contain at most 5 links.", 100)
