"""Invitations: admins invite by email, list and revoke (/workspaces/{id}/invitations/); the invitee,
signed in with the invited address, accepts (/invitations/accept/). The emailed link opens a small
page (`invitation_page`) that says what the invitation is and how to accept it."""

from django.contrib.auth import login
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import redirect, render
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import invitations
from accounts.forms import InvitationSignupForm
from accounts.models import Invitation, Membership
from config.exceptions import Conflict

from .serializers import (
    InvitationAcceptSerializer, InvitationCreatedSerializer, InvitationCreateSerializer, InvitationSerializer,
    InvitationSignupSerializer, MemberSerializer, UserSerializer,
)
from .views import ServiceErrorsMixin, WorkspaceInURLMixin, parse_id, path_ids, require_role


class InvitationGoneError(exceptions.APIException):
    status_code = status.HTTP_410_GONE
    default_detail = "This invitation can no longer be used."
    default_code = "invitation_gone"


def _translate(exc):
    if isinstance(exc, invitations.InvitationNotFound):
        return NotFound(exc.message)
    if isinstance(exc, invitations.InvitationGone):
        return InvitationGoneError(exc.message)
    if isinstance(exc, invitations.InvitationForAnotherAddress):
        return exceptions.PermissionDenied(exc.message)
    if isinstance(exc, invitations.InvitationAddressHasAccount):
        return Conflict(exc.message)
    return exc


@extend_schema_view(list=path_ids("workspace_pk"), create=path_ids("workspace_pk"), destroy=path_ids("workspace_pk", "id"))
class InvitationViewSet(ServiceErrorsMixin, WorkspaceInURLMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Invitations of the workspace in the URL (admin+). Creating answers the same whether or not the
    address is registered; deleting revokes a pending invitation."""

    serializer_class = InvitationSerializer
    filter_backends = []

    def handle_exception(self, exc):
        return super().handle_exception(_translate(exc))

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        require_role(self.actor_membership().role, Membership.Role.ADMIN, "manage invitations")

    def get_queryset(self):
        return Invitation.objects.filter(workspace=self.workspace()).select_related("invited_by")

    @extend_schema(request=InvitationCreateSerializer, responses={201: InvitationCreatedSerializer})
    def create(self, request, *args, **kwargs):
        """Invite an address; the mail is queued (sent by a task that retries while the mail server is down)."""
        data = InvitationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = invitations.invitation_create(workspace=self.workspace(), actor=request.user, **data.validated_data)
        return Response(InvitationCreatedSerializer(invitation).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        invitation = self.get_queryset().filter(pk=parse_id(self.kwargs["pk"])).first()
        if invitation is None:
            raise NotFound("Invitation not found.")
        invitations.invitation_revoke(invitation=invitation, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class InvitationAcceptView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=InvitationAcceptSerializer, responses={200: MemberSerializer})
    def post(self, request):
        data = InvitationAcceptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            membership = invitations.invitation_accept(user=request.user, token=data.validated_data["token"])
        except invitations.AccountsError as exc:
            raise _translate(exc)
        body = {**MemberSerializer(membership).data, "workspace": membership.workspace_id}
        return Response(body)


class InvitationSignupView(APIView):
    """An invitee without an account creates it from the invitation (its address is the invited one)
    and joins; works while self-registration is off. Anonymous; limited per client IP."""

    authentication_classes = ()
    permission_classes = [AllowAny]

    @extend_schema(request=InvitationSignupSerializer, responses={201: UserSerializer})
    def post(self, request):
        data = InvitationSignupSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            user, _membership = invitations.invitation_accept_as_new_user(**data.validated_data)
        except invitations.AccountsError as exc:
            raise _translate(exc)
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


def invitation_page(request, token):
    """What the emailed link opens: the workspace, the role, and how to accept. An invitee who is not
    signed in may create their account here (with the invited address) and join in one step."""
    try:
        invitation = invitations.invitation_get(token=token)
    except invitations.InvitationNotFound:
        invitation = None
    form = InvitationSignupForm(request.POST or None) if invitation and not request.user.is_authenticated else None
    status_code = 200 if invitation else 404
    if form is not None and request.method == "POST":
        if form.is_valid():
            try:
                user, membership = invitations.invitation_accept_as_new_user(token=token, **form.cleaned_data)
            except DjangoValidationError as exc:
                for field, messages in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, messages)
            except invitations.AccountsError as exc:
                form.add_error(None, exc.message)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                request.session["workspace_id"] = membership.workspace_id
                return redirect("webapp:home")
        status_code = 400
    response = render(request, "accounts/invitation.html", {"invitation": invitation, "token": token, "form": form}, status=status_code)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response
