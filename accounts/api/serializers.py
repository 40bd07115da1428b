from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts import services
from accounts.models import Invitation, Membership, User, Workspace


class UserWorkspaceSerializer(serializers.ModelSerializer):
    """One of the user's workspaces, seen through their membership."""

    id = serializers.IntegerField(source="workspace.id")
    name = serializers.CharField(source="workspace.name")
    plan = serializers.CharField(source="workspace.plan")
    is_personal = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = ["id", "name", "plan", "role", "is_personal"]

    def get_is_personal(self, membership) -> bool:
        return membership.workspace.personal_owner_id == membership.user_id


class UserSerializer(serializers.ModelSerializer):
    workspaces = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "email", "timezone", "workspaces"]
        read_only_fields = ["id", "username", "email"]

    @extend_schema_field(UserWorkspaceSerializer(many=True))
    def get_workspaces(self, user):
        memberships = user.memberships.select_related("workspace").order_by("workspace_id")
        return UserWorkspaceSerializer(memberships, many=True).data


class MeUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["timezone"]


class RegisterSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(write_only=True, max_length=128, trim_whitespace=False, style={"input_type": "password"})
    timezone = serializers.CharField(max_length=64, required=False, default="UTC")

    def validate_username(self, value):
        User.username_validator(value)
        # One sentence whether the username or the email is taken (accounts.services.registration_conflict).
        email = self.initial_data.get("email")
        if services.registration_conflict(username=value, email=email if isinstance(email, str) else ""):
            raise serializers.ValidationError(services.REGISTRATION_CONFLICT)
        return value

    def validate_email(self, value):
        return User.objects.normalize_email(value)

    def validate_timezone(self, value):
        User._meta.get_field("timezone").run_validators(value)
        return value

    def validate_password(self, value):
        # Field-level, so password problems are reported together with the other fields' errors;
        # the similarity check compares against the submitted username and email.
        candidate = User(username=self.initial_data.get("username"), email=self.initial_data.get("email"))
        try:
            password_validation.validate_password(value, user=candidate)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(list(exc.messages)) from exc
        return value

    def create(self, validated_data):
        try:
            return services.user_register(**validated_data)
        except IntegrityError as exc:  # a concurrent registration took the name or email
            raise serializers.ValidationError({"username": [services.REGISTRATION_CONFLICT]}) from exc


class WorkspaceSerializer(serializers.ModelSerializer):
    role = serializers.SerializerMethodField()
    is_personal = serializers.SerializerMethodField()
    plan = serializers.ChoiceField(choices=Workspace.Plan.choices, required=False)

    class Meta:
        model = Workspace
        fields = ["id", "name", "plan", "is_personal", "role", "requires_approval", "created_at"]
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {"requires_approval": {"required": False}}

    def validate_name(self, value):
        value = value.strip()
        if not value:
            raise serializers.ValidationError("This field may not be blank.")
        return value

    @extend_schema_field(serializers.ChoiceField(choices=Membership.Role.choices, allow_null=True))
    def get_role(self, workspace):
        """The caller's role: annotated as `caller_role` on lists, else looked up."""
        if hasattr(workspace, "caller_role"):
            return workspace.caller_role
        request = self.context.get("request")
        if request is None or not request.user.is_authenticated:
            return None
        return Membership.objects.filter(workspace=workspace, user=request.user).values_list("role", flat=True).first()

    def get_is_personal(self, workspace) -> bool:
        return workspace.personal_owner_id is not None


class MemberSerializer(serializers.ModelSerializer):
    user_id = serializers.IntegerField(source="user.id", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    joined_at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = Membership
        fields = ["user_id", "username", "email", "role", "joined_at"]
        read_only_fields = fields


class InvitationCreateSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    role = serializers.ChoiceField(choices=Membership.Role.choices, default=Membership.Role.EDITOR)


class InvitationSerializer(serializers.ModelSerializer):
    """The same fields whether or not the address belongs to a registered user."""

    invited_by = serializers.CharField(source="invited_by.username", read_only=True, default=None)
    status = serializers.CharField(read_only=True, help_text="pending, accepted, revoked or expired.")

    class Meta:
        model = Invitation
        fields = ["id", "email", "role", "status", "invited_by", "created_at", "expires_at", "accepted_at", "revoked_at"]
        read_only_fields = fields


class InvitationCreatedSerializer(InvitationSerializer):
    mail = serializers.CharField(
        read_only=True, default="queued",
        help_text="Always \"queued\": the invitation mail is sent by a background task, retried while the mail server is unreachable.",
    )

    class Meta(InvitationSerializer.Meta):
        fields = [*InvitationSerializer.Meta.fields, "mail"]
        read_only_fields = fields


class InvitationAcceptSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=100, help_text="The token of the emailed invitation link.")


class MemberRoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Membership.Role.choices)


class InvitationSignupSerializer(serializers.Serializer):
    """An invitee without an account: the account is created with the invited address."""

    token = serializers.CharField(max_length=100, help_text="The token of the emailed invitation link.")
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(write_only=True, max_length=128, trim_whitespace=False, style={"input_type": "password"})
    timezone = serializers.CharField(max_length=64, required=False, default="UTC")

    def validate_timezone(self, value):
        User._meta.get_field("timezone").run_validators(value)
        return value
