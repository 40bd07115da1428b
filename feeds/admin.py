from django import forms
from django.contrib import admin
from django.utils import timezone
from rest_framework.exceptions import ValidationError


from . import services
from .models import FeedItem, FeedSubscription


ADMIN_FIELDS = {"account_ids": "accounts", "queue_id": "queue"}


class FeedSubscriptionForm(forms.ModelForm):
    """The API's checks (public address, template, the queue's and accounts' workspace) on the admin's form."""

    url = forms.URLField(max_length=1000, assume_scheme="https")

    def clean(self):
        data = super().clean()
        workspace = data.get("workspace")
        if workspace is None:
            return data
        values = {name: data[name] for name in ("url", "template", "mode", "queue", "poll_interval_minutes") if name in data}
        values["accounts"] = list(data.get("accounts") or [])
        try:
            services.subscription_check(workspace=workspace, values=values)
        except ValidationError as exc:
            for name, messages in exc.detail.items():
                self.add_error(ADMIN_FIELDS.get(name, name), [str(m) for m in messages])
        return data


class FeedItemInline(admin.TabularInline):
    model = FeedItem
    extra = 0
    can_delete = False
    fields = readonly_fields = ["seen_at", "title", "link", "published_at", "outcome", "post", "note", "item_key"]
    ordering = ["-seen_at", "-id"]
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(FeedSubscription)
class FeedSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "workspace", "mode", "is_active", "poll_interval_minutes", "last_polled_at", "last_success_at",
                    "consecutive_failures", "last_error", "next_poll_at"]
    list_filter = ["is_active", "mode"]
    list_select_related = ["workspace"]
    search_fields = ["url", "title", "workspace__name"]
    raw_id_fields = ["workspace", "queue", "accounts", "created_by"]
    readonly_fields = ["title", "last_polled_at", "last_success_at", "consecutive_failures", "last_error", "created_at"]
    inlines = [FeedItemInline]
    actions = ["poll_now"]

    form = FeedSubscriptionForm

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = obj.created_by or request.user
            obj.next_poll_at = obj.next_poll_at or timezone.now()  # first polled within a minute
        super().save_model(request, obj, form, change)

    @admin.action(description="Poll now")
    def poll_now(self, request, queryset):
        results = [services.poll(subscription_id=subscription.pk) for subscription in queryset]
        posts = sum(result.posts_created for result in results)
        errors = sum(result.status == "error" for result in results)
        self.message_user(request, f"Polled {len(results)} feed(s): {posts} post(s) created, {errors} error(s).")
