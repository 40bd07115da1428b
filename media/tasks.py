"""Thin Celery tasks of the media queue (routed by settings.CELERY_TASK_ROUTES "media.tasks.*")."""

from celery import shared_task

from . import cleanup, services


@shared_task(ignore_result=True)
def process_media(media_id):
    media = services.media_process(media_id=media_id)
    if media is not None and media.status == media.ProcessingStatus.READY:
        premake_renditions.delay(media.pk)
    return media.status if media is not None else None


@shared_task(ignore_result=True)
def premake_renditions(media_id):
    """The image renditions the workspace's networks will need, made before anyone schedules it."""
    from .models import MediaFile
    from .renditions import premake_image_renditions

    media = MediaFile.objects.filter(pk=media_id).first()
    return len(premake_image_renditions(media)) if media is not None else 0


@shared_task(ignore_result=True)
def make_renditions(target_ids):
    """Make the renditions (video transcodes) of scheduled targets ahead of their publish time."""
    from social_media.models import PostTarget
    from social_media.services.validation import media_items_for
    from social_media.platforms.base import InvalidContent

    made = 0
    for target in PostTarget.objects.filter(pk__in=target_ids).select_related("post", "account"):
        try:
            made += len(media_items_for(target.post, target))
        except InvalidContent:
            pass  # publishing reports it on the target
    return made


@shared_task(ignore_result=True)
def delete_orphaned_files_task():
    return cleanup.delete_orphaned_files()
