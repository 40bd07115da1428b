from .server import ThreadsFake

__all__ = ["ThreadsFake"]
