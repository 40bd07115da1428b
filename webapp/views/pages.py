"""Problems (what needs a person). The Analytics page is webapp/views/analytics.py."""

from ..context import workspace_view
from ..queries import accounts_needing_reconnect, disconnected_posts, problem_targets
from ..render import page, paginate


@workspace_view()
def problems(request):
    page_obj, base = paginate(request, problem_targets(request.workspace))
    return page(request, "app/problems.html", {
        "page_obj": page_obj, "querystring_base": base, "page_title": "Problems",
        "accounts": list(accounts_needing_reconnect(request.workspace)[:50]),
        "orphans": list(disconnected_posts(request.workspace)[:50]),
    })
