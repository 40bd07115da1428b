from django.urls import path

from .invitation_views import InvitationAcceptView, InvitationSignupView, InvitationViewSet
from .views import MemberViewSet, WorkspaceViewSet

workspace_list = WorkspaceViewSet.as_view({"get": "list", "post": "create"})
workspace_detail = WorkspaceViewSet.as_view({"get": "retrieve", "patch": "partial_update", "delete": "destroy"})
member_list = MemberViewSet.as_view({"get": "list"})
invitation_list = InvitationViewSet.as_view({"get": "list", "post": "create"})
invitation_detail = InvitationViewSet.as_view({"delete": "destroy"})
member_detail = MemberViewSet.as_view({"get": "retrieve", "patch": "partial_update", "delete": "destroy"})

urlpatterns = [
    path("workspaces/", workspace_list, name="workspace-list"),
    path("workspaces/<str:pk>/", workspace_detail, name="workspace-detail"),
    path("workspaces/<str:workspace_pk>/members/", member_list, name="workspace-member-list"),
    path("workspaces/<str:workspace_pk>/members/<str:user_id>/", member_detail, name="workspace-member-detail"),
    path("workspaces/<str:workspace_pk>/invitations/", invitation_list, name="workspace-invitation-list"),
    path("workspaces/<str:workspace_pk>/invitations/<str:pk>/", invitation_detail, name="workspace-invitation-detail"),
    path("invitations/accept/", InvitationAcceptView.as_view(), name="invitation-accept"),
    path("invitations/signup/", InvitationSignupView.as_view(), name="invitation-signup"),
]
