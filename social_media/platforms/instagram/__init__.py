from .adapter import InstagramAdapter

__all__ = ["InstagramAdapter"]
