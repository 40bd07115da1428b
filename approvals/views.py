"""Approval pages: the public review page of a review link (/review/<token>/: previews, approve,
comment; no account needed) and the post page's approval forms for members (submit, approve,
reject, comment, create and revoke review links). Every form calls approvals.services."""

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from rest_framework.exceptions import NotFound

from accounts.models import Membership
from media.models import MediaFile
from social_media.models import Post, Status
from webapp.context import workspace_view
from webapp.errors import SERVICE_ERRORS, add_service_errors, flash_service_error

from . import services
from .models import ReviewLink

Role = Membership.Role


class ReviewForm(forms.Form):
    name = forms.CharField(label="Your name", max_length=services.MAX_NAME)
    comment = forms.CharField(label="Comment", required=False, max_length=services.MAX_COMMENT, widget=forms.Textarea(attrs={"rows": 3}))
    publish_now_if_past = forms.BooleanField(label="Its time has passed: publish it now", required=False)


def _previews(post):
    """One preview per target: the account and the text it gets (its own, else the post's)."""
    targets = list(post.targets.select_related("account").order_by("id"))
    return [{"account": t.account, "content": t.content} for t in targets]


def _review_context(link, form=None):
    post = link.post
    media = [pm.media for pm in post.post_media.select_related("media").order_by("order", "id")]
    return {
        "link": link, "post": post, "previews": _previews(post), "media": media, "form": form or ReviewForm(),
        "pending": post.status == Status.PENDING_APPROVAL,
        "past": post.scheduled_time is None or post.scheduled_time <= timezone.now(),
        "comments": [e for e in services.post_history(post) if e.comment], "page_title": "Review a post",
    }


def _gone(request):
    return render(request, "approvals/review_gone.html", {"page_title": "Review link"}, status=404)


@never_cache
def review(request, token):
    """The review page. GET shows the post; POST with `action` approve or comment acts (CSRF-protected)."""
    try:
        link = services.review_link_resolve(token)
    except NotFound:
        return _gone(request)
    if request.method != "POST":
        return render(request, "approvals/review.html", _review_context(link))
    form = ReviewForm(request.POST)
    action = request.POST.get("action")
    if action not in ("approve", "comment"):
        raise Http404("No such action.")
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == "approve":
                services.review_approve(token=token, reviewer_name=data["name"], comment=data["comment"],
                                        publish_now_if_past=data["publish_now_if_past"])
                messages.success(request, "Thank you: the post is approved.")
            else:
                services.review_comment(token=token, reviewer_name=data["name"], comment=data["comment"])
                messages.success(request, "Thank you: your comment was sent to the team.")
        except NotFound:
            return _gone(request)
        except SERVICE_ERRORS as exc:
            add_service_errors(form, exc)
        else:
            return redirect("approvals:review", token=token)
    link.refresh_from_db()
    return render(request, "approvals/review.html", _review_context(link, form), status=400)


def review_media(request, token, media_id):
    """An attachment of the reviewed post, for the review page's previews (the link is the key)."""
    try:
        link = services.review_link_resolve(token)
    except NotFound:
        raise Http404("This review link does not work.") from None
    media = get_object_or_404(MediaFile, pk=media_id, post_links__post=link.post)
    try:
        handle = media.file.open("rb")
    except FileNotFoundError:
        raise Http404("This file's stored bytes are missing.") from None
    response = FileResponse(handle, content_type=media.mime_type)
    response["Cache-Control"] = "private, max-age=600"
    return response


# --- Members' forms on the post page ---------------------------------------------------------------

ACTIONS = {
    "submit": (Role.EDITOR, "Submitted for approval."),
    "approve": (Role.ADMIN, "Approved."),
    "reject": (Role.ADMIN, "Rejected: the post is a draft again."),
    "comment": (Role.EDITOR, "Comment added."),
    "review-link": (Role.ADMIN, None),
}


@require_POST
@workspace_view()
def post_approval_action(request, post_id, action):
    post = get_object_or_404(Post.objects.select_related("workspace"), workspace=request.workspace, pk=post_id)
    if action not in ACTIONS:
        raise Http404("No such action.")
    comment = request.POST.get("comment", "")
    try:
        if action == "submit":
            services.post_submit(post=post, actor=request.user)
        elif action == "approve":
            services.post_approve(post=post, actor=request.user, comment=comment, publish_now_if_past=request.POST.get("publish_now_if_past") == "1")
        elif action == "reject":
            services.post_reject(post=post, actor=request.user, comment=comment)
        elif action == "comment":
            services.post_comment(post=post, actor=request.user, comment=comment)
        else:
            _link, token = services.review_link_create(post=post, actor=request.user)
            # Shown once, on the next page only (never stored in clear).
            request.session["review_link_url"] = services.review_link_url(token)
            messages.success(request, "Review link created: copy it now, it is shown only once.")
    except SERVICE_ERRORS as exc:
        flash_service_error(request, exc)
    else:
        if ACTIONS[action][1]:
            messages.success(request, ACTIONS[action][1])
    return redirect("webapp:post_detail", post_id=post.pk)


@require_POST
@workspace_view(write_role=Role.ADMIN)
def review_link_revoke_view(request, link_id):
    link = get_object_or_404(ReviewLink.objects.select_related("post__workspace"), post__workspace=request.workspace, pk=link_id)
    try:
        services.review_link_revoke(link=link, actor=request.user)
    except SERVICE_ERRORS as exc:
        flash_service_error(request, exc)
    else:
        messages.success(request, "Review link revoked: it no longer works.")
    return redirect("webapp:post_detail", post_id=link.post_id)


def approval_context(request, post):
    """What the post page shows of approvals: the history, the links, the forms its viewer may use."""
    membership = request.membership
    can_edit, can_admin = membership.has_role(Role.EDITOR), services.can_approve(request.workspace, request.user)
    pending = post.status == Status.PENDING_APPROVAL
    return {
        "history": services.post_history(post),
        "review_links": list(ReviewLink.objects.filter(post=post)) if can_edit else [],
        "new_review_link": request.session.pop("review_link_url", None),
        "can_approve": can_admin and pending,
        "can_comment": can_edit,
        "can_link": can_admin and post.status in (Status.DRAFT, Status.PENDING_APPROVAL, Status.SCHEDULED, Status.QUEUED),
        "past_due": pending and (post.scheduled_time is None or post.scheduled_time <= timezone.now()),
        "requires_approval": request.workspace.requires_approval,
    }
