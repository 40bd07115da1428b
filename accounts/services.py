"""Users, workspaces and memberships. The API, the admin and management commands all call these.

Rules that depend on who acts take `actor` (a User) and raise typed errors:
`RoleRequired` (the actor's role does not allow it) and `WorkspaceConflict` (the workspace's state
forbids it: last owner, personal workspace). Invalid input raises Django's ValidationError with
field errors. Mutations of a workspace's memberships lock the workspace row, so two owners demoting
each other at the same time cannot leave it without an owner.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from .models import Membership, User, Workspace

Role = Membership.Role


class AccountsError(Exception):
    """Base for errors a caller shows to the user as they are."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class RoleRequired(AccountsError):
    """The actor's role (or staff status) does not allow this action."""


class WorkspaceConflict(AccountsError):
    """The workspace's current state does not allow this (last owner, personal workspace)."""


class NotFoundError(AccountsError):
    """The workspace or membership acted on was deleted meanwhile (a concurrent delete): a 404."""


# --- Users ------------------------------------------------------------------------------------


@transaction.atomic
def user_register(*, username, email, password, timezone="UTC", is_staff=False, is_superuser=False):
    """Create a user with a personal workspace they own."""
    user = User(username=username, email=email, timezone=timezone, is_staff=is_staff, is_superuser=is_superuser)
    user.set_password(password)
    user.save()
    personal_workspace_create(user=user)
    return user


REGISTRATION_CONFLICT = "This username or email address cannot be used here. If you already have an account, sign in."


def registration_conflict(*, username, email):
    """Whether an account holds this username or this email address (either, case-insensitive).
    Registration then answers REGISTRATION_CONFLICT, the same sentence for both, next to the username:
    it never says which one exists. When the address is the one taken, its owner is told by mail that
    someone tried to register with it (send_registration_notice, default queue)."""
    by_email = User.objects.filter(email__iexact=User.objects.normalize_email(email or "").strip()).first() if email else None
    if by_email is not None:
        from .tasks import send_registration_notice

        transaction.on_commit(lambda: send_registration_notice.delay(by_email.pk), robust=True)
        return True
    return bool(username) and User.objects.filter(username__iexact=username).exists()


def registration_notice_send(*, user_id):
    from django.conf import settings
    from django.core.mail import send_mail

    user = User.objects.filter(pk=user_id).first()
    if user is None or not user.email:
        return False
    send_mail(
        subject="Someone tried to register with your email address",
        message=(
            f"Someone tried to create an account on {settings.PUBLIC_BASE_URL} with this address, {user.email}.\n\n"
            f"You already have an account here, {user.username}: sign in with it. If it was not you, nothing changed;\n"
            "you may ignore this mail.\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[user.email],
    )
    return True


@transaction.atomic
def personal_workspace_create(*, user):
    """Give `user` their personal workspace (registration does this; so does the admin for users it adds)."""
    workspace = Workspace.objects.create(name=f"{user.username}'s workspace", personal_owner=user)
    Membership.objects.create(user=user, workspace=workspace, role=Role.OWNER)
    return workspace


def user_update(*, user, timezone=None):
    fields = []
    if timezone is not None:
        user.timezone = timezone
        fields.append("timezone")
    if fields:
        user.full_clean(exclude=[f.name for f in User._meta.fields if f.name not in fields])
        user.save(update_fields=fields)
    return user


# --- Workspaces -------------------------------------------------------------------------------


@transaction.atomic
def workspace_create(*, owner, name, plan=Workspace.Plan.BASIC):
    workspace = Workspace.objects.create(name=name, plan=plan)
    Membership.objects.create(user=owner, workspace=workspace, role=Role.OWNER)
    return workspace


def _actor_membership(workspace, actor):
    membership = Membership.objects.filter(workspace=workspace, user=actor).first()
    if membership is None:
        raise RoleRequired("You are not a member of this workspace.")
    return membership


def _require(workspace, actor, role, action):
    membership = _actor_membership(workspace, actor)
    if not membership.has_role(role):
        raise RoleRequired(f"Only a workspace {role} or above can {action}.")
    return membership


def workspace_update(*, workspace, actor, name=None, plan=None, requires_approval=None):
    """Rename or turn "posts need approval" on or off (admin+), or change the plan (staff only: plans are billing)."""
    _require(workspace, actor, Role.ADMIN, "change its settings")
    fields = []
    if plan is not None and plan != workspace.plan:
        if not actor.is_staff:
            raise RoleRequired("Only staff can change a workspace's plan.")
        workspace.plan = plan
        fields.append("plan")
    if name is not None and name != workspace.name:
        workspace.name = name
        fields.append("name")
    if requires_approval is not None and requires_approval != workspace.requires_approval:
        workspace.requires_approval = requires_approval
        fields.append("requires_approval")
    if fields:
        workspace.full_clean(exclude=[f.name for f in Workspace._meta.fields if f.name not in fields])
        workspace.save(update_fields=fields)
    return workspace


@transaction.atomic
def workspace_delete(*, workspace, actor):
    """Delete a workspace and everything in it (owner only; never a personal workspace)."""
    workspace = _lock(workspace)
    _require(workspace, actor, Role.OWNER, "delete it")
    if workspace.personal_owner_id is not None:
        raise WorkspaceConflict("A personal workspace cannot be deleted.")
    workspace.delete()


# --- Memberships ------------------------------------------------------------------------------


def _lock(workspace):
    """The workspace row, locked for the rest of the transaction. A workspace deleted meanwhile (its
    delete committed while this waited for the lock) is NotFoundError, not Workspace.DoesNotExist."""
    locked = Workspace.objects.select_for_update().filter(pk=workspace.pk).first()
    if locked is None:
        raise NotFoundError("This workspace no longer exists.")
    return locked


def _reread_membership(membership, *related):
    """The membership as stored now (after the workspace lock); NotFoundError when it was removed."""
    found = Membership.objects.select_related(*related).filter(pk=membership.pk).first()
    if found is None:
        raise NotFoundError("This member is no longer in the workspace.")
    return found


def owner_kept_check(*, workspace, membership, action):
    """Refuse (WorkspaceConflict) to take the owner role away from a personal workspace's owner or
    from a workspace's last owner. `membership` is as stored, before the change."""
    if membership.role != Role.OWNER:
        return
    if workspace.personal_owner_id == membership.user_id:
        raise WorkspaceConflict(f"The owner of a personal workspace cannot be {action}.")
    owners = Membership.objects.filter(workspace=workspace, role=Role.OWNER).count()
    if owners <= 1:
        raise WorkspaceConflict(f"The last owner cannot be {action}; make another member an owner first.")


@transaction.atomic
def member_change_role(*, membership, actor, role):
    """Change a member's role (admin+; granting or revoking owner needs an owner)."""
    workspace = _lock(membership.workspace)
    membership = _reread_membership(membership, "user")
    _require(workspace, actor, Role.ADMIN, "change roles")
    if Role.OWNER in (role, membership.role) and role != membership.role:
        _require(workspace, actor, Role.OWNER, "grant or revoke the owner role")
    if role == membership.role:
        return membership
    owner_kept_check(workspace=workspace, membership=membership, action="demoted")
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def member_remove(*, membership, actor):
    """Remove a member (admin+; an owner only by an owner), or leave (any member removes themselves)."""
    workspace = _lock(membership.workspace)
    membership = _reread_membership(membership)
    if membership.user_id != actor.pk:
        _require(workspace, actor, Role.ADMIN, "remove members")
        if membership.role == Role.OWNER:
            _require(workspace, actor, Role.OWNER, "remove an owner")
    owner_kept_check(workspace=workspace, membership=membership, action="removed")
    membership.delete()
