from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html
from rest_framework.exceptions import ValidationError

from config.exceptions import Conflict
from social_media.models import PostMedia

from . import services
from .folders import folder_create, folder_update
from .models import MediaFile, MediaFolder, MediaRendition, MediaTag, NetworkUpload
from .public import signed_url


class FolderFilter(admin.SimpleListFilter):
    """Browse by folder: each folder by its full path, plus files in no folder."""

    title = "folder"
    parameter_name = "folder"

    def lookups(self, request, model_admin):
        folders = MediaFolder.objects.select_related("parent", "workspace")
        return [("none", "(no folder)")] + sorted(((str(f.pk), f"{f.workspace} / {f.path}") for f in folders), key=lambda x: x[1])

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(folder__isnull=True)
        if self.value():
            return queryset.filter(folder_id=self.value())
        return queryset


class RenditionInline(admin.TabularInline):
    model = MediaRendition
    extra = 0
    can_delete = False
    fields = ["spec_key", "media_type", "mime_type", "file_size", "width", "height", "duration", "details", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(MediaTag)
class MediaTagAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "workspace"]
    list_filter = ["workspace"]
    search_fields = ["name"]
    list_select_related = ["workspace"]


@admin.register(MediaRendition)
class MediaRenditionAdmin(ReadOnlyAdmin):
    """Renditions are made on demand; deleting one makes it again when next needed."""

    list_display = ["id", "media", "spec_key", "mime_type", "file_size", "width", "height", "created_at"]
    list_filter = ["mime_type", "created_at"]
    search_fields = ["spec_key", "media__original_filename"]
    list_select_related = ["media"]


@admin.register(NetworkUpload)
class NetworkUploadAdmin(ReadOnlyAdmin):
    list_display = ["id", "media", "account", "remote_id", "expires_at", "created_at"]
    list_filter = ["account__platform"]
    search_fields = ["remote_id", "media__original_filename"]
    list_select_related = ["media", "account"]


class MediaFolderAdminForm(forms.ModelForm):
    """Create, rename and move through media.folders (as the API): unique names per parent, no cycles,
    a parent of the same workspace. The service runs in a savepoint during validation."""

    class Meta:
        model = MediaFolder
        fields = ["workspace", "parent", "name"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            with transaction.atomic():
                if self.instance.pk:
                    if data["workspace"].pk != self.instance.workspace_id:
                        raise ValidationError({"workspace": ["A folder stays in its workspace."]})
                    self.instance = folder_update(folder=self.instance, name=data["name"], parent=data.get("parent"))
                else:
                    self.instance = folder_create(workspace=data["workspace"], name=data["name"], parent=data.get("parent"))
        except ValidationError as exc:
            for field, problems in exc.detail.items():
                for problem in problems:
                    self.add_error(field if field in self.fields else None, str(problem))
        return data

    def save(self, commit=True):
        return self.instance  # the service saved it in clean()

    def save_m2m(self):
        pass


class MediaFileAdminForm(forms.ModelForm):
    class Meta:
        model = MediaFile
        fields = ["folder", "alt_text"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "folder" in self.fields:  # only the file's own workspace's folders
            self.fields["folder"].queryset = MediaFolder.objects.filter(workspace_id=self.instance.workspace_id)


@admin.register(MediaFolder)
class MediaFolderAdmin(admin.ModelAdmin):
    form = MediaFolderAdminForm
    list_display = ["id", "path", "workspace", "files", "created_at"]
    list_filter = ["workspace"]
    search_fields = ["name", "workspace__name"]
    list_select_related = ["workspace", "parent"]
    readonly_fields = ["created_at"]

    def save_model(self, request, obj, form, change):
        pass  # media.folders saved it in MediaFolderAdminForm.clean()

    @admin.display(description="files")
    def files(self, folder):
        url = f"../mediafile/?folder={folder.pk}"
        return format_html('<a href="{}">{}</a>', url, folder.media_files.count())


@admin.register(MediaFile)
class MediaFileAdmin(admin.ModelAdmin):
    """Uploads go through the API, which checks the content; here staff can review, fix alt text and
    delete (with the stored file, refused while a scheduled or published post uses the media)."""

    form = MediaFileAdminForm

    list_display = ["id", "preview", "original_filename", "workspace", "folder", "media_type", "status", "size", "dimensions", "duration", "uploaded_by", "created_at"]
    list_filter = [FolderFilter, "media_type", "status", "mime_type", "created_at"]
    search_fields = ["original_filename", "alt_text", "workspace__name", "uploaded_by__username"]
    list_select_related = ["workspace", "uploaded_by", "folder"]
    inlines = [RenditionInline]
    date_hierarchy = "created_at"
    fields = [
        "workspace", "uploaded_by", "original_filename", "link", "media_type", "mime_type", "size", "dimensions", "duration",
        "preview", "status", "status_reason", "processed_with", "video_info", "folder", "alt_text", "sha256", "created_at",
    ]
    readonly_fields = [
        "workspace", "uploaded_by", "original_filename", "link", "media_type", "mime_type", "size", "dimensions", "duration",
        "preview", "status", "status_reason", "processed_with", "video_info", "sha256", "created_at",
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
        if not media.file:
            return "—"
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', signed_url(media.file.name, media.mime_type), media.file.name)

    @admin.display(description="thumbnail")
    def preview(self, media):
        if not media.thumbnail:
            return "—"
        return format_html('<img src="{}" alt="" style="max-width:96px;max-height:96px">', signed_url(media.thumbnail.name, "image/jpeg"))

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
