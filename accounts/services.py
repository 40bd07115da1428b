from django.db import transaction

from .models import Membership, User, Workspace


@transaction.atomic
def user_register(*, username, email, password, timezone="UTC", is_staff=False, is_superuser=False):
    """Create a user with a personal workspace they own."""
    user = User(username=username, email=email, timezone=timezone, is_staff=is_staff, is_superuser=is_superuser)
    user.set_password(password)
    user.save()
    workspace = Workspace.objects.create(name=f"{username}'s workspace", personal_owner=user)
    Membership.objects.create(user=user, workspace=workspace, role=Membership.Role.OWNER)
    return user


@transaction.atomic
def workspace_create(*, owner, name, plan=Workspace.Plan.BASIC):
    workspace = Workspace.objects.create(name=name, plan=plan)
    Membership.objects.create(user=owner, workspace=workspace, role=Membership.Role.OWNER)
    return workspace
