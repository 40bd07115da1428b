"""Admin: the first comment inline on the post admin (social_media/admin/posts.py), checked by the same
validators as the API and composer, and the list of deliveries with a retry action calling the service."""

from django import forms
from django.contrib import admin, messages

from config.exceptions import Conflict

from . import services
from .models import FirstComment, FirstCommentDelivery


class FirstCommentForm(forms.ModelForm):
    class Meta:
        model = FirstComment
        fields = ["content", "delay_seconds"]

    def clean(self):
        data = super().clean()
        post = self.instance.post if self.instance.post_id else getattr(self, "parent_post", None)
        if post is not None and post.pk and data.get("content"):
            for problems in services.first_comment_errors(post=post, content=data["content"]).values():
                for problem in problems:
                    self.add_error("content", problem)
        return data


class FirstCommentInline(admin.StackedInline):
    model = FirstComment
    form = FirstCommentForm
    extra = 0
    max_num = 1

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.parent_post = obj
        return formset


@admin.register(FirstCommentDelivery)
class FirstCommentDeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "target", "status", "due_at", "posted_at", "attempts", "url"]
    list_filter = ["status", "target__account__platform"]
    search_fields = ["content", "platform_comment_id", "error_message"]
    list_select_related = ["target__account"]
    readonly_fields = [f.name for f in FirstCommentDelivery._meta.fields]
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).defer("target__account__access_token", "target__account__refresh_token")

    @admin.action(description="Retry the selected failed or unconfirmed first comments")
    def retry(self, request, queryset):
        done = 0
        for delivery in queryset:
            try:
                services.delivery_retry(delivery=delivery)
                done += 1
            except Conflict as exc:
                self.message_user(request, f"{delivery}: {exc.detail}", messages.WARNING)
        self.message_user(request, f"{done} first comment(s) sent again.")
