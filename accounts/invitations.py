"""Invitations: the only way into someone else's workspace is to accept an invitation.

An admin invites an email address (`invitation_create`); the address gets a link with a one-time
token, stored as its SHA-256 only. The answer is the same whether or not the address belongs to a
registered user, so inviting cannot probe who uses this server. The invitee signs in with that
address and accepts (`invitation_accept`), or, without an account, creates one from the invitation
(`invitation_accept_as_new_user`, even while self-registration is off); only then is a Membership created. Invitations
expire after settings.INVITATION_TTL_HOURS; admins list and revoke them (`invitation_revoke`).
The API, the admin and the web app call these functions.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction

from config.encryption import decrypt, encrypt
from django.utils import timezone

from .models import Invitation, Membership, User
from .services import AccountsError, _lock, _require, user_register
from .tasks import send_invitation_email

Role = Membership.Role
MAX_PENDING_PER_WORKSPACE = 100


class InvitationNotFound(AccountsError):
    """No invitation has this token."""


class InvitationGone(AccountsError):
    """The invitation was accepted, revoked or expired."""


class InvitationForAnotherAddress(AccountsError):
    """The signed-in user's email address is not the invited one."""


class InvitationAddressHasAccount(AccountsError):
    """An account uses the invited address: its owner signs in and accepts instead of creating one."""


def _hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_link(token):
    template = settings.INVITATION_URL or f"{settings.PUBLIC_BASE_URL}/invitations/{{token}}/"
    return template.replace("{token}", token)


def _pending(queryset):
    return queryset.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


def invitation_send(*, invitation_id, sealed_token):
    """Send the mail of an invitation that is still pending (the send_invitation_email task calls
    this; a mail server error propagates, for the task to retry). Returns whether a mail was sent."""
    invitation = Invitation.objects.select_related("workspace", "invited_by").filter(pk=invitation_id).first()
    if invitation is None or invitation.status != "pending":
        return False
    _send(invitation, decrypt(sealed_token))
    return True


def _send(invitation, token):
    inviter = invitation.invited_by.username if invitation.invited_by else "An administrator"
    hours = settings.INVITATION_TTL_HOURS
    send_mail(
        subject=f"You are invited to {invitation.workspace.name}",
        message=(
            f"{inviter} invited you to join the workspace \"{invitation.workspace.name}\" as {invitation.role}.\n\n"
            f"To accept, open this link and sign in with this email address, {invitation.email}, or create\n"
            f"your account there if you have none:\n"
            f"{invitation_link(token)}\n\nThe invitation expires in {hours} hours. If you did not expect it, ignore this mail.\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[invitation.email],
    )


@transaction.atomic
def invitation_create(*, workspace, actor, email, role=Role.EDITOR):
    """Invite `email` (admin+; only an owner may invite an owner). A pending invitation of the same
    address is replaced. Returns the Invitation; once the transaction commits, the mail is queued for
    the send_invitation_email task (default queue), which retries while the mail server is down."""

    workspace = _lock(workspace)
    _require(workspace, actor, Role.ADMIN, "invite members")
    if role == Role.OWNER:
        _require(workspace, actor, Role.OWNER, "invite an owner")
    email = User.objects.normalize_email(email.strip()).lower()
    if Membership.objects.filter(workspace=workspace, user__email__iexact=email).exists():
        raise ValidationError({"email": ["This address belongs to a member of the workspace already."]})
    pending = _pending(Invitation.objects.filter(workspace=workspace))
    pending.filter(email=email).update(revoked_at=timezone.now())
    if pending.count() >= MAX_PENDING_PER_WORKSPACE:
        raise ValidationError({"email": [f"This workspace has {MAX_PENDING_PER_WORKSPACE} pending invitations; revoke some first."]})
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        workspace=workspace, email=email, role=role, invited_by=actor, token_hash=_hash(token),
        expires_at=timezone.now() + timedelta(hours=settings.INVITATION_TTL_HOURS),
    )
    sealed = encrypt(token)
    # robust: a broker outage is logged, never a 500 for an invitation that is already saved
    transaction.on_commit(lambda: send_invitation_email.delay(invitation.pk, sealed), robust=True)
    return invitation


def invitation_get(*, token):
    """The invitation this token names, usable or not (for a page that shows it); InvitationNotFound."""
    invitation = Invitation.objects.select_related("workspace", "invited_by").filter(token_hash=_hash(token or "")).first()
    if invitation is None:
        raise InvitationNotFound("This invitation link is unknown.")
    return invitation


def _pending_for_update(token):
    """The invitation this token names, locked and still pending; InvitationNotFound or InvitationGone."""
    invitation = Invitation.objects.select_for_update().filter(token_hash=_hash(token or "")).first()
    if invitation is None:
        raise InvitationNotFound("This invitation link is unknown.")
    if invitation.status != "pending":
        raise InvitationGone({
            "accepted": "This invitation was already accepted.",
            "revoked": "This invitation was withdrawn; ask for a new one.",
            "expired": "This invitation expired; ask for a new one.",
        }[invitation.status])
    return invitation


@transaction.atomic
def invitation_accept(*, user, token):
    """Join the workspace as the invited role. The user's email must be the invited address.
    Returns the Membership (the existing one, unchanged, if the user already is a member)."""
    invitation = _pending_for_update(token)
    if (user.email or "").lower() != invitation.email:
        raise InvitationForAnotherAddress("This invitation was sent to another email address; sign in with the account that uses it.")
    _lock(invitation.workspace)
    membership, _created = Membership.objects.get_or_create(
        workspace=invitation.workspace, user=user, defaults={"role": invitation.role}
    )
    invitation.accepted_at, invitation.accepted_by = timezone.now(), user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


@transaction.atomic
def invitation_accept_as_new_user(*, token, username, password, timezone="UTC"):
    """Create the invitee's account, with the invited address, and join: how a person gets an account
    on a server whose self-registration is off (REGISTRATION_ENABLED). Holding the mailed link proves
    the address. Returns (user, membership). An address that has an account already must sign in and
    accept (InvitationAddressHasAccount); a taken username or a weak password are field errors."""
    invitation = _pending_for_update(token)
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise InvitationAddressHasAccount("An account uses this address already: sign in with it, then accept the invitation.")
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": ["This username is taken; choose another."]})
    User.username_validator(username)
    try:
        password_validation.validate_password(password, user=User(username=username, email=invitation.email))
    except ValidationError as exc:
        raise ValidationError({"password": list(exc.messages)}) from exc
    try:
        with transaction.atomic():
            user = user_register(username=username, email=invitation.email, password=password, timezone=timezone)
    except IntegrityError as exc:  # a concurrent registration took the name or the address
        raise ValidationError({"username": ["This username is taken; choose another."]}) from exc
    return user, invitation_accept(user=user, token=token)


@transaction.atomic
def invitation_revoke(*, invitation, actor):
    """Withdraw a pending invitation (admin+; an invitation as owner only by an owner)."""
    workspace = _lock(invitation.workspace)
    _require(workspace, actor, Role.ADMIN, "revoke invitations")
    if invitation.role == Role.OWNER:
        _require(workspace, actor, Role.OWNER, "revoke an invitation as owner")
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != "pending":
        raise InvitationGone(f"This invitation is {invitation.status}; only a pending one can be revoked.")
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    return invitation
