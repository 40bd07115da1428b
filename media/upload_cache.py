"""Network upload cache: the id a network gave a file we uploaded, kept per account and per exact bytes
(MediaItem.cache_key, the stored file name) with the network's expiry, so a retry of a publish reuses
the upload instead of sending the file again.

Adapters call `cached_upload(account=..., item=..., upload=..., ttl=...)` around their own upload
function. An id is reused only while it has at least `REUSE_MARGIN` of life left (X media ids expire
24 h after upload; Mastodon removes unattached media after about a day)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from .models import NetworkUpload

REUSE_MARGIN = timedelta(minutes=30)


def cached_id(*, account, item) -> str | None:
    if not item.cache_key or not getattr(account, "pk", None):
        return None
    found = NetworkUpload.objects.filter(account_id=account.pk, media_id=item.media_id, file_name=item.cache_key).first()
    if found is None:
        return None
    if found.expires_at is not None and found.expires_at <= timezone.now() + REUSE_MARGIN:
        found.delete()
        return None
    return found.remote_id


def remember(*, account, item, remote_id: str, ttl: timedelta | None) -> None:
    if not item.cache_key or not getattr(account, "pk", None):
        return
    NetworkUpload.objects.update_or_create(
        account_id=account.pk, media_id=item.media_id, file_name=item.cache_key,
        defaults={"remote_id": str(remote_id), "expires_at": timezone.now() + ttl if ttl else None},
    )


def forget(*, account, item) -> None:
    """Drop a cached id the network no longer knows (it answered "no such media")."""
    NetworkUpload.objects.filter(account_id=account.pk, media_id=item.media_id, file_name=item.cache_key).delete()


def cached_upload(*, account, item, upload, ttl: timedelta | None) -> str:
    """The network's id for `item` on `account`: the cached one while valid, else `upload()`'s, remembered."""
    remote_id = cached_id(account=account, item=item)
    if remote_id is not None:
        return remote_id
    remote_id = upload()
    remember(account=account, item=item, remote_id=remote_id, ttl=ttl)
    return remote_id
