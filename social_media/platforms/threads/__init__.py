"""Threads (Meta): container -> publish on graph.threads.net, long-lived tokens refreshed in place."""

from .adapter import ThreadsAdapter

__all__ = ["ThreadsAdapter"]
