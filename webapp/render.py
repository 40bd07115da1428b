"""Rendering helpers shared by the pages: the header's data (memberships for the switcher, the count
of problems) and pagination."""

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import render

from accounts.models import Membership

from .queries import problem_count


def nav_context(request):
    membership = getattr(request, "membership", None)
    if membership is None:
        return {}
    return {
        "memberships": list(Membership.objects.filter(user=request.user).select_related("workspace").order_by("workspace__name", "id")),
        "current": membership,
        "problems": problem_count(membership.workspace),
    }


def page(request, template, context=None, *, status=200):
    context = dict(context or {})
    membership = getattr(request, "membership", None)
    context.setdefault("nav", nav_context(request))
    if membership is not None:
        context.setdefault("membership", membership)
        context.setdefault("workspace", membership.workspace)
        context.setdefault("can_edit", membership.has_role(Membership.Role.EDITOR))
        context.setdefault("can_admin", membership.has_role(Membership.Role.ADMIN))
    return render(request, template, context, status=status)


def paginate(request, queryset, *, keep=()):
    """(page_obj, querystring_base): the requested page, and the other query parameters to keep."""
    paginator = Paginator(queryset, settings.WEBAPP_PAGE_SIZE)
    page_obj = paginator.get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    base = params.urlencode()
    return page_obj, (base + "&") if base else ""
