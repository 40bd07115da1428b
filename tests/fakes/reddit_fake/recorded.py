"""Reddit API bodies, shaped after praw's recorded real exchanges (betamax cassettes in praw-dev/praw,
tests/integration/cassettes/: TestSubreddit.test_submit__selftext.json (token answer, /api/submit
answer, /comments/{id}/ listing), TestSubreddit.test_submit_image.json (the media/asset.json lease and
the S3 form fields), TestSubmission.test_delete.json) and Reddit's error items
([error type, message, field]) as praw's RedditAPIException parses them."""

TOKEN = {"access_token": "7302867-hBIKYkrMXJg_DhuZb4I4h2zs8YE", "token_type": "bearer", "expires_in": 3600, "scope": "*"}
SUBMIT = {"json": {"errors": [], "data": {"url": "https://www.reddit.com/r/<sr>/comments/4bbe4b/test_title/", "id": "4bbe4b", "name": "t3_4bbe4b"}}}
SUBMIT_MEDIA = {"json": {"errors": [], "data": {"user_submitted_page": "https://www.reddit.com/user/<user>/submitted/",
                                                "websocket_url": "wss://ws-0a1b2c3d4e.wss.redditmedia.com/rte_images/76vqfcf7y8b21?m=AQAA"}}}
LEASE_FIELDS = ["acl", "key", "X-Amz-Credential", "X-Amz-Algorithm", "X-Amz-Date", "success_action_status", "content-type",
                "x-amz-storage-class", "x-amz-meta-ext", "policy", "X-Amz-Signature", "x-amz-security-token"]
RATE_HEADERS = {"x-ratelimit-remaining": "599.0", "x-ratelimit-reset": "103", "x-ratelimit-used": "1"}
SUBMISSION = {  # one t3 from the /comments/{id}/ listing of TestSubreddit.test_submit__selftext
    "domain": "self.<sr>", "banned_by": None, "media_embed": {}, "subreddit": "<sr>", "selftext_html": None, "selftext": "Test text.",
    "likes": True, "suggested_sort": None, "user_reports": [], "secure_media": None, "link_flair_text": None, "id": "4bbe4b",
    "gilded": 0, "archived": False, "clicked": False, "report_reasons": [], "author": "<user>", "media": None, "name": "t3_4bbe4b",
    "score": 1, "approved_by": None, "over_18": False, "hidden": False, "thumbnail": "", "subreddit_id": "t5_2t5o6", "edited": False,
    "link_flair_css_class": None, "author_flair_css_class": None, "downs": 0, "mod_reports": [], "secure_media_embed": {},
    "saved": False, "removal_reason": None, "stickied": False, "is_self": True, "permalink": "/r/<sr>/comments/4bbe4b/test_title/",
    "locked": False, "hide_score": False, "created": 1458574697.0, "url": "https://www.reddit.com/r/<sr>/comments/4bbe4b/test_title/",
    "author_flair_text": None, "quarantine": False, "title": "Test Title", "created_utc": 1458545897.0, "ups": 1, "upvote_ratio": 1.0,
    "num_comments": 0, "visited": False, "num_reports": 0, "distinguished": None,
}


def errors(*items):
    """The body of a refused submit: {"json": {"errors": [[type, message, field], ...]}}."""
    return {"json": {"errors": [list(item) for item in items]}}


RATELIMIT = ("RATELIMIT", "you are doing that too much. try again in 5 minutes.", "ratelimit")
SUBREDDIT_NOEXIST = ("SUBREDDIT_NOEXIST", "that subreddit doesn't exist", "sr")
SUBREDDIT_NOTALLOWED = ("SUBREDDIT_NOTALLOWED", "you aren't allowed to post there.", "sr")
BANNED = ("BANNED_FROM_SUBREDDIT", "you are banned from this community", "sr")
FLAIR_REQUIRED = ("SUBMIT_VALIDATION_FLAIR_REQUIRED", "Your post must contain post flair.", "flair")
BAD_FLAIR = ("BAD_FLAIR_TEMPLATE_ID", "That flair template id is invalid", "flair")
NO_SELFS = ("NO_SELFS", "This community doesn't allow text posts.", "sr")
NO_LINKS = ("NO_LINKS", "that subreddit only allows text posts", "sr")
NO_TEXT = ("NO_TEXT", "we need something here", "title")
TOO_LONG = ("TOO_LONG", "this is too long (max: 300)", "title")
INVALID_TOKEN_HEADERS = {"www-authenticate": 'Bearer realm="reddit", error="invalid_token"'}
