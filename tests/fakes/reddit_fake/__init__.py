from .server import RedditFake

__all__ = ["RedditFake"]
