"""Admin for connected accounts, posts, targets, attempts and queues.

Secrets (tokens, client secrets, PKCE verifiers) are excluded from every form and never loaded for
lists. Workflow changes go through the same services as the API: the actions below call them and
report each object's outcome; fields the engine owns (statuses, times, ids) are read-only."""

from . import accounts, posts  # noqa: F401  (registers the ModelAdmins)
