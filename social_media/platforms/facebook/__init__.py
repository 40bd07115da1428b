from .adapter import FacebookAdapter

__all__ = ["FacebookAdapter"]
