"""Reddit through praw: self, link and image posts to a subreddit named per target, OAuth with a
permanent refresh token."""

from .adapter import RedditAdapter

__all__ = ["RedditAdapter"]
