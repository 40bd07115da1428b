"""factory-boy factories. Users are made through the registration service so each has a personal
workspace, as in production."""

import factory
from django.utils import timezone

from accounts.models import Membership, User, Workspace
from accounts.services import user_register
from media.models import MediaFile
from social_media.models import ConnectedAccount, Post, PostQueue, PostTarget, Status

__all__ = [
    "UserFactory", "WorkspaceFactory", "MembershipFactory", "ConnectedAccountFactory", "PostFactory",
    "PostTargetFactory", "PostQueueFactory", "MediaFileFactory",
]

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return user_register(username=kwargs["username"], email=kwargs["email"], password=kwargs.get("password", PASSWORD))


class WorkspaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workspace

    name = factory.Sequence(lambda n: f"Workspace {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    workspace = factory.SubFactory(WorkspaceFactory)
    role = Membership.Role.EDITOR


class ConnectedAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConnectedAccount

    workspace = factory.SubFactory(WorkspaceFactory)
    platform = "mastodon"
    platform_user_id = factory.Sequence(lambda n: f"uid{n}")
    platform_username = factory.Sequence(lambda n: f"handle{n}")
    display_name = factory.LazyAttribute(lambda o: o.platform_username.title())
    access_token = factory.Sequence(lambda n: f"access-token-{n}")
    refresh_token = factory.Sequence(lambda n: f"refresh-token-{n}")
    instance_url = "https://mastodon.example"
    platform_settings = factory.LazyFunction(lambda: {"max_characters": 500, "max_media_attachments": 4, "characters_reserved_per_url": 23})


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    workspace = factory.SubFactory(WorkspaceFactory)
    content = factory.Sequence(lambda n: f"Post number {n}")
    status = Status.DRAFT


class PostTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PostTarget

    post = factory.SubFactory(PostFactory)
    account = factory.SubFactory(ConnectedAccountFactory, workspace=factory.SelfAttribute("..post.workspace"))
    status = factory.SelfAttribute("post.status")
    next_attempt_at = factory.LazyAttribute(lambda o: o.post.scheduled_time)


class PostQueueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PostQueue

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Queue {n}")
    posting_schedule = factory.LazyFunction(lambda: {"monday": ["09:00"], "wednesday": ["09:00", "15:00"]})
    timezone = "Europe/Berlin"


class MediaFileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MediaFile

    workspace = factory.SubFactory(WorkspaceFactory)
    media_type = MediaFile.MediaType.IMAGE
    original_filename = "photo.png"
    file = factory.django.ImageField(filename="photo.png", width=64, height=48, format="PNG")
    file_size = 100
    mime_type = "image/png"
    width = 64
    height = 48
    status = MediaFile.ProcessingStatus.READY
    created_at = factory.LazyFunction(timezone.now)
