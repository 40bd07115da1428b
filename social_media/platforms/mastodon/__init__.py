"""Mastodon (Mastodon.py 2.3.3): the adapter, its OAuth connect flow, per-instance limits."""

from .adapter import MastodonAdapter

__all__ = ["MastodonAdapter"]
