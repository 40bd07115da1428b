"""LinkedIn: members and the organization pages they administer, through the versioned REST API.
Modules: client (session, headers, URN encoding), errors (the one translation point), oauth (code
flow, refresh, the member and page profiles), text (little text format, validation), media (image
and video upload), posts (create, delete, reconcile, metrics), adapter."""

from .adapter import LinkedInAdapter

__all__ = ["LinkedInAdapter"]
