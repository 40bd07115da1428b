from django.contrib import admin, messages
from django.db.models import Count
from django.utils.html import format_html_join
from django.utils.text import Truncator
from rest_framework.exceptions import APIException

from ..models import Post, PostMedia, PostQueue, PostTarget, PublishAttempt, QueuedPost, TargetPartPublication, ThreadPart
from ..services.posts import DELETABLE_STATUSES, PENDING_STATUSES, UNSET, post_cancel, post_delete, post_publish_now, post_update, target_retry
from ..services.resolution import target_reconcile_now, target_resolve
from ..services.unpublishing import post_unpublish
from approvals import services as approval_services
from approvals.admin import approval_history_html

from first_comments.admin import FirstCommentInline
from first_comments.models import FirstComment
from first_comments.services import first_comment_apply

from .common import ACTIVE_STATUSES, ReadOnlyMixin, run_per_object, without_account_secrets
from .post_form import PostAdminForm
from .queue_form import PostQueueAdminForm


class PostTargetInline(admin.TabularInline):
    model = PostTarget
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ["account", "status", "platform_specific_settings", "platform_post_url", "retries", "next_attempt_at", "posted_at", "error_message"]
    readonly_fields = fields

    def get_queryset(self, request):
        return without_account_secrets(super().get_queryset(request), "account")

    def has_add_permission(self, request, obj=None):
        return False


class PostMediaInline(admin.TabularInline):
    model = PostMedia
    extra = 0
    fields = ["media", "order"]
    readonly_fields = ["media"]
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("media")

    def has_add_permission(self, request, obj=None):
        return False


class TargetPartPublicationInline(admin.TabularInline):
    model = TargetPartPublication
    extra = 0
    can_delete = False
    fields = ["position", "platform_post_id", "platform_post_url", "posted_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    form = PostAdminForm
    list_display = ["id", "summary", "workspace", "author", "status", "scheduled_time", "posted_at", "target_count", "created_at"]
    list_filter = ["status", "targets__account__platform", "created_at"]
    search_fields = ["content", "workspace__name", "author__username"]
    list_select_related = ["workspace", "author"]
    date_hierarchy = "created_at"
    fields = ["workspace", "author", "content", "accounts", "status", "scheduled_time", "posted_at", "created_at", "updated_at", "thread", "approval_history"]
    readonly_fields = ["author", "status", "posted_at", "created_at", "updated_at", "thread", "approval_history"]
    inlines = [PostTargetInline, PostMediaInline, FirstCommentInline]
    actions = ["cancel", "publish_now", "unpublish", "approve", "reject"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_targets=Count("targets", distinct=True))

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.actor = request.user  # the author of a post staff create
        return form

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields.append("workspace")  # a post stays in its workspace
            if not self.has_change_permission(request, obj):
                fields += ["content", "accounts", "scheduled_time"]
        return fields

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if obj is None:  # a new post: only what staff give it
            fields = [f for f in fields if f in ("workspace", "content", "accounts", "scheduled_time")]
        return fields

    def save_model(self, request, obj, form, change):
        pass  # saved by the posting services in PostAdminForm.clean()

    def save_formset(self, request, form, formset, change):
        if formset.model is not FirstComment:
            return super().save_formset(request, form, formset, change)
        # The first comment through the posting services: changing an approved post's comment sends it
        # back for approval, as any other edit does (a new post's comment is part of its creation).
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline in formset.forms:
            if formset._should_delete_form(inline):
                value = None if inline.instance.pk else UNSET
            else:
                value = {"content": inline.cleaned_data["content"], "delay_seconds": inline.cleaned_data["delay_seconds"]} if inline.has_changed() else UNSET
            if value is UNSET:
                continue
            try:
                if change:
                    post_update(post=form.instance, first_comment=value, actor=request.user)
                else:
                    first_comment_apply(post=form.instance, value=value)
            except APIException as exc:
                self.message_user(request, f"The first comment was not saved: {exc.detail}", messages.ERROR)

    @admin.display(description="accounts")
    def accounts(self, post):
        return ", ".join(str(t.account) for t in post.targets.all()) or "—"

    @admin.display(description="scheduled time", ordering="scheduled_time")
    def scheduled_time(self, post):
        return post.scheduled_time.strftime("%Y-%m-%d %H:%M:%S %Z") if post.scheduled_time else "—"

    def has_delete_permission(self, request, obj=None):
        # One at a time, never while a target is waiting for or in the hands of a worker, and never
        # while it is live on a network (unpublish it first), as the API's post_delete.
        return super().has_delete_permission(request, obj) and (
            obj is None or (obj.status in DELETABLE_STATUSES and obj.status not in ACTIVE_STATUSES)
        )

    def get_deleted_objects(self, objs, request):
        # A post's targets, attempts and media links go with it (staff cannot delete those on their own).
        deleted, model_count, _perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, model_count, set(), protected

    def delete_model(self, request, obj):
        post_delete(post=obj)  # the API's service: re-checks, under the row locks, that nothing is live

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # bulk delete would skip the per-post check above
        return actions

    def has_change_permission(self, request, obj=None):
        # Editable while no worker holds any of it: drafts and scheduled posts (through the services).
        return super().has_change_permission(request, obj) and (obj is None or obj.status in PENDING_STATUSES)

    @admin.display(description="thread (parts after the first)")
    def thread(self, post):
        """Read-only here: parts are edited where their per-network checks run (composer, API)."""
        parts = list(post.thread_parts.order_by("position")) if post.pk else []
        if not parts:
            return "—"
        return format_html_join("", "<p><strong>{}.</strong> {}</p>", ((p.position + 1, p.content) for p in parts))

    @admin.display(description="approval history")
    def approval_history(self, post):
        return approval_history_html(post)

    @admin.display(description="content")
    def summary(self, post):
        return Truncator(post.content).chars(60)

    @admin.display(description="targets", ordering="n_targets")
    def target_count(self, post):
        return post.n_targets

    def has_cancel_permission(self, request):
        return request.user.has_perm("social_media.change_post")

    @admin.action(description="Cancel (scheduled targets only)", permissions=["cancel"])
    def cancel(self, request, queryset):
        run_per_object(self, request, queryset, lambda post: post_cancel(post=post), "post(s) cancelled")

    @admin.action(description="Publish now", permissions=["cancel"])
    def publish_now(self, request, queryset):
        run_per_object(self, request, queryset, lambda post: post_publish_now(post=post, actor=request.user), "post(s) sent for publishing")

    @admin.action(description="Approve (pending approval; publishes now those whose time has passed)", permissions=["cancel"])
    def approve(self, request, queryset):
        run_per_object(self, request, queryset.select_related("workspace"),
                       lambda post: approval_services.post_approve(post=post, actor=request.user, publish_now_if_past=True), "post(s) approved")

    @admin.action(description="Reject (pending approval; back to draft)", permissions=["cancel"])
    def reject(self, request, queryset):
        run_per_object(self, request, queryset.select_related("workspace"), lambda post: approval_services.post_reject(
            post=post, actor=request.user, comment=f"Rejected in the admin by {request.user.username}."), "post(s) rejected")

    @admin.action(description="Unpublish (delete from the networks)", permissions=["cancel"])
    def unpublish(self, request, queryset):
        run_per_object(self, request, queryset, lambda post: post_unpublish(post=post), "post(s) sent for deletion from their networks")


class PublishAttemptInline(admin.TabularInline):
    model = PublishAttempt
    extra = 0
    can_delete = False
    fields = ["kind", "attempt_number", "started_at", "finished_at", "outcome", "error_class", "http_status", "message"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ThreadPart)
class ThreadPartAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["id", "post", "position", "summary"]
    search_fields = ["content"]
    list_select_related = ["post"]
    readonly_fields = ["post", "position", "content", "media_ids"]

    @admin.display(description="text")
    def summary(self, part):
        return Truncator(part.content).chars(80)


@admin.register(TargetPartPublication)
class TargetPartPublicationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Each thread part a network confirmed: the record that keeps a re-claimed target from sending it twice."""

    list_display = ["id", "target", "position", "platform_post_id", "posted_at"]
    search_fields = ["platform_post_id"]
    list_select_related = ["target"]
    readonly_fields = ["target", "position", "platform_post_id", "platform_post_url", "posted_at", "created_at"]


@admin.register(PostTarget)
class PostTargetAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["id", "post", "account", "status", "retries", "last_attempt_at", "posted_at", "short_error"]
    list_filter = ["status", "account__platform"]
    search_fields = ["platform_post_id", "post__content", "account__platform_username", "error_message"]
    list_select_related = ["post", "account"]
    readonly_fields = [
        "post", "account", "status", "custom_content", "platform_specific_settings", "platform_post_id", "platform_post_url",
        "error_message", "retries", "last_attempt_at", "next_attempt_at", "dispatched_at", "claimed_at", "posted_at",
        "idempotency_key",
    ]
    inlines = [TargetPartPublicationInline, PublishAttemptInline]
    actions = ["retry", "reconcile_now", "mark_published", "mark_not_published", "unpublish"]

    def has_delete_permission(self, request, obj=None):
        return False  # cancel the post or retry the target instead

    def get_queryset(self, request):
        return without_account_secrets(super().get_queryset(request).select_related("post"), "account")

    @admin.display(description="error")
    def short_error(self, target):
        return Truncator(target.error_message).chars(80)

    def has_retry_permission(self, request):
        # The form is read-only for everyone; retrying needs the model's change permission.
        return request.user.has_perm("social_media.change_posttarget")

    @admin.action(description="Retry now (failed or unconfirmed targets)", permissions=["retry"])
    def retry(self, request, queryset):
        run_per_object(self, request, queryset, lambda target: target_retry(target=target), "target(s) scheduled for retry")

    @admin.action(description="Unconfirmed: ask the network again", permissions=["retry"])
    def reconcile_now(self, request, queryset):
        def ask(target):
            verdict = target_reconcile_now(target=target)
            self.message_user(request, f"{target}: {verdict}")

        run_per_object(self, request, queryset, ask, "target(s) checked")

    @admin.action(description="Unconfirmed: I found it published", permissions=["retry"])
    def mark_published(self, request, queryset):
        run_per_object(self, request, queryset, lambda target: target_resolve(target=target, published=True), "target(s) marked published")

    @admin.action(description="Unconfirmed: it is not on the network", permissions=["retry"])
    def mark_not_published(self, request, queryset):
        run_per_object(self, request, queryset, lambda target: target_resolve(target=target, published=False), "target(s) marked not published")

    @admin.action(description="Unpublish (delete from its network)", permissions=["retry"])
    def unpublish(self, request, queryset):
        run_per_object(self, request, queryset, lambda target: post_unpublish(post=target.post, target_ids=[target.id]),
                       "target(s) sent for deletion from their network")


@admin.register(PublishAttempt)
class PublishAttemptAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["id", "target", "kind", "attempt_number", "outcome", "error_class", "http_status", "started_at", "finished_at"]
    list_filter = ["kind", "outcome", "error_class"]
    search_fields = ["message", "error_class", "target__platform_post_id"]
    list_select_related = ["target"]
    readonly_fields = ["target", "kind", "attempt_number", "started_at", "finished_at", "outcome", "error_class", "http_status", "message"]
    date_hierarchy = "started_at"

    def has_delete_permission(self, request, obj=None):
        return False  # the audit trail of what was sent

    def get_queryset(self, request):
        return without_account_secrets(super().get_queryset(request), "target__account")


@admin.register(PostMedia)
class PostMediaAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["id", "post", "media", "order"]
    list_filter = ["post__status", "media__media_type"]
    search_fields = ["post__content", "media__original_filename"]
    list_select_related = ["post", "media"]
    readonly_fields = ["post", "media", "order"]


class QueuedPostInline(admin.TabularInline):
    model = QueuedPost
    extra = 0
    fields = ["position", "post", "created_at"]
    readonly_fields = ["post", "created_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PostQueue)
class PostQueueAdmin(admin.ModelAdmin):
    form = PostQueueAdminForm  # saved by queue_save in the form's clean()
    list_display = ["name", "workspace", "timezone", "is_active", "entry_count", "created_at"]
    list_filter = ["is_active", "timezone"]
    search_fields = ["name", "description", "workspace__name"]
    list_select_related = ["workspace"]
    raw_id_fields = ["workspace", "target_accounts"]
    readonly_fields = ["created_at"]
    inlines = [QueuedPostInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_entries=Count("entries", distinct=True))

    def save_model(self, request, obj, form, change):
        pass  # queue_save saved it in PostQueueAdminForm.clean()

    @admin.display(description="posts queued", ordering="n_entries")
    def entry_count(self, queue):
        return queue.n_entries


@admin.register(QueuedPost)
class QueuedPostAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["id", "queue", "post", "position", "created_at"]
    list_filter = ["queue"]
    search_fields = ["queue__name", "post__content"]
    list_select_related = ["queue", "post"]
    readonly_fields = ["queue", "post", "position", "created_at"]
