"""What an adapter must remember on a target between attempts (e.g. the Instagram container it
created), written at once so that a crash or retry after this point finds it."""

from social_media.models import PostTarget


def target_remember(*, target, **values):
    """Merge `values` into the target's platform_specific_settings, in memory and in the database."""
    target.platform_specific_settings = {**(target.platform_specific_settings or {}), **values}
    PostTarget.objects.filter(id=target.id).update(platform_specific_settings=target.platform_specific_settings)
    return target.platform_specific_settings
