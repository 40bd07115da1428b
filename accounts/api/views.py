"""Workspaces and their members. These endpoints act on the workspace named in the URL (not the
X-Workspace header): the caller's membership of *that* workspace decides, and a workspace the caller
is not a member of answers 404 exactly like a missing one."""

from django.conf import settings
from django.db.models import Exists, OuterRef, Subquery
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import filters, mixins, status, viewsets
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from accounts import context, services
from accounts.models import Membership, Workspace
from config.exceptions import Conflict

from .serializers import MemberRoleSerializer, MemberSerializer, WorkspaceSerializer


def parse_id(raw):
    """A URL id as an int, or NotFound for anything that cannot be a row id."""
    value = context.parse_id(raw)
    if value is None:
        raise NotFound()
    return value


def require_role(role, needed, action):
    """Refuse early (403) so a caller without the role never sees validation details; the services
    check the same rules again and stay authoritative."""
    if Membership.RANK[role] < Membership.RANK[needed]:
        raise services.RoleRequired(f"Only a workspace {needed} or above can {action}.")


def path_ids(*names):
    return extend_schema(parameters=[OpenApiParameter(name, int, OpenApiParameter.PATH) for name in names])


class ServiceErrorsMixin:
    """Translate the accounts services' typed errors into API errors, in one place."""

    def handle_exception(self, exc):
        if isinstance(exc, services.RoleRequired):
            exc = PermissionDenied(exc.message)
        elif isinstance(exc, services.WorkspaceConflict):
            exc = Conflict(exc.message)
        elif isinstance(exc, services.NotFoundError):
            exc = NotFound(exc.message)
        return super().handle_exception(exc)


@extend_schema_view(retrieve=path_ids("id"), partial_update=path_ids("id"), destroy=path_ids("id"))
class WorkspaceViewSet(ServiceErrorsMixin, viewsets.ModelViewSet):
    """Workspaces the caller is a member of. Create: anyone (becomes owner); rename: admin+;
    plan: staff only; delete: owner, never a personal workspace."""

    serializer_class = WorkspaceSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    filter_backends = [filters.SearchFilter, filters.OrderingFilter]
    search_fields = ["name"]
    ordering_fields = ["id", "name", "created_at"]
    write_roles = {
        "partial_update": (Membership.Role.ADMIN, "change its settings"),
        "destroy": (Membership.Role.OWNER, "delete it"),
    }

    def get_queryset(self):
        mine = Membership.objects.filter(workspace=OuterRef("pk"), user=self.request.user)
        return (
            Workspace.objects.filter(Exists(mine))
            .annotate(caller_role=Subquery(mine.values("role")[:1]))
            .order_by("id")
        )

    def get_object(self):
        parse_id(self.kwargs["pk"])
        workspace = super().get_object()
        if self.action in self.write_roles:
            require_role(workspace.caller_role, *self.write_roles[self.action])
        return workspace

    def perform_create(self, serializer):
        if not settings.WORKSPACE_CREATION_ENABLED and not self.request.user.is_staff:
            raise services.RoleRequired("On this server only staff create workspaces; ask for an invitation to one.")
        plan = serializer.validated_data.get("plan", Workspace.Plan.BASIC)
        if plan != Workspace.Plan.BASIC and not self.request.user.is_staff:
            raise services.RoleRequired("Only staff can choose a workspace's plan.")
        serializer.instance = services.workspace_create(owner=self.request.user, name=serializer.validated_data["name"], plan=plan)

    def perform_update(self, serializer):
        serializer.instance = services.workspace_update(
            workspace=serializer.instance, actor=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.workspace_delete(workspace=instance, actor=self.request.user)


class WorkspaceInURLMixin:
    """For views under /workspaces/{workspace_pk}/: the caller's membership of that workspace."""

    def actor_membership(self):
        """The caller's membership of the URL's workspace; 404 when they have none (cached)."""
        if not hasattr(self, "_actor_membership"):
            membership = (
                Membership.objects.select_related("workspace")
                .filter(user=self.request.user, workspace_id=parse_id(self.kwargs["workspace_pk"]))
                .first()
            )
            if membership is None:
                raise NotFound("Workspace not found.")
            self._actor_membership = membership
        return self._actor_membership

    def workspace(self):
        return self.actor_membership().workspace


@extend_schema_view(
    list=path_ids("workspace_pk"), retrieve=path_ids("workspace_pk", "user_id"),
    partial_update=path_ids("workspace_pk", "user_id"), destroy=path_ids("workspace_pk", "user_id"),
)
class MemberViewSet(ServiceErrorsMixin, WorkspaceInURLMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Members of the workspace in the URL. Any member lists; admin+ changes roles and removes; only
    an owner grants or revokes owner; anyone may leave; a workspace always keeps an owner. New members
    join by accepting an invitation (invitation_views.py), never by being added."""

    serializer_class = MemberSerializer
    filter_backends = []
    lookup_field = "user_id"

    def get_queryset(self):
        return Membership.objects.filter(workspace=self.workspace()).select_related("user").order_by("id")

    def get_object(self):
        user_id = parse_id(self.kwargs["user_id"])
        membership = self.get_queryset().filter(user_id=user_id).first()
        if membership is None:
            raise NotFound("Member not found.")
        return membership

    @extend_schema(request=MemberRoleSerializer, responses={200: MemberSerializer})
    def partial_update(self, request, *args, **kwargs):
        require_role(self.actor_membership().role, Membership.Role.ADMIN, "change roles")
        membership = self.get_object()
        serializer = MemberRoleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = services.member_change_role(membership=membership, actor=request.user, **serializer.validated_data)
        return Response(MemberSerializer(membership).data)

    def destroy(self, request, *args, **kwargs):
        services.member_remove(membership=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
