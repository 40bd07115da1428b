"""Bluesky (AT Protocol) adapter: app-password sessions on a PDS, idempotent posts keyed by a TID.

Modules: `adapter` (the PlatformAdapter), `session` (service URLs, clients built from stored JWTs,
record keys), `rules` (validation), `richtext` (facets), `errors` (the one exception translation).
"""

from .adapter import BlueskyAdapter

__all__ = ["BlueskyAdapter"]
