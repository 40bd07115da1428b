"""Business logic of posts, targets, queues and connected accounts.

Views, admin actions, Celery tasks and management commands all call these plain functions (keyword
arguments only), so every entry point behaves alike. Import from the submodules, e.g.
`from social_media.services.posts import post_schedule`.
"""
