from django.contrib import admin, messages
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html

from config.exceptions import Conflict
from social_media.models import PostMedia

from . import services
from .models import MediaFile


@admin.register(MediaFile)
class MediaFileAdmin(admin.ModelAdmin):
    """Uploads go through the API, which checks the content; here staff can review, fix alt text and
    delete (with the stored file, refused while a scheduled or published post uses the media)."""

    list_display = ["id", "original_filename", "workspace", "media_type", "mime_type", "size", "dimensions", "duration", "uploaded_by", "created_at"]
    list_filter = ["media_type", "mime_type", "created_at"]
    search_fields = ["original_filename", "alt_text", "workspace__name", "uploaded_by__username"]
    list_select_related = ["workspace", "uploaded_by"]
    date_hierarchy = "created_at"
    fields = [
        "workspace", "uploaded_by", "original_filename", "link", "media_type", "mime_type", "size", "dimensions", "duration",
        "alt_text", "platform_media_ids", "created_at",
    ]
    readonly_fields = [
        "workspace", "uploaded_by", "original_filename", "link", "media_type", "mime_type", "size", "dimensions", "duration",
        "platform_media_ids", "created_at",
    ]

    def has_add_permission(self, request):
        return False

    @admin.display(description="size", ordering="file_size")
    def size(self, media):
        return filesizeformat(media.file_size)

    @admin.display(description="width × height")
    def dimensions(self, media):
        return f"{media.width} × {media.height}" if media.width and media.height else "—"

    @admin.display(description="file")
    def link(self, media):
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', media.file.url, media.file.name) if media.file else "—"

    def delete_model(self, request, obj):
        services.media_delete(media=obj)

    def delete_queryset(self, request, queryset):
        for media in queryset:
            try:
                services.media_delete(media=media)
            except Conflict as exc:
                self.message_user(request, f"{media} was kept: {exc.detail}", messages.WARNING)

    def get_deleted_objects(self, objs, request):
        """Django's confirmation data, with media service semantics: links from draft and cancelled
        posts are removed along with the media; only a link from any other post blocks deletion."""
        deleted, counts, perms_needed, _links = super().get_deleted_objects(objs, request)
        busy = (
            PostMedia.objects.filter(media__in=list(objs))
            .exclude(post__status__in=services.DETACHABLE_POST_STATUSES)
            .select_related("post", "media")
        )
        protected = [f"{link.media}: used by post {link.post_id}, which is {link.post.get_status_display().lower()}" for link in busy]
        return deleted, counts, perms_needed, protected
