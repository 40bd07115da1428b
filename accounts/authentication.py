"""JWT authentication that reads the user and the membership the request acts in with one query.

simplejwt reads the user by id, then the workspace context (accounts/context.py) reads the user's
membership: two queries on every API call. Here the membership named by X-Workspace (else the personal
workspace's) is read with its user and workspace in one query and kept on the request, where
`request_membership` finds it. When there is no such membership (not a member, a malformed header, no
personal workspace, an inactive user), simplejwt's own lookup and checks run unchanged, and the workspace
context answers 400/404 as before.

The query runs on every API call, so it is not built by the ORM each time: compiling a three-table
select_related and building its instances was ~45 % of the framework's cost per request
(docs/benchmarks.md, "API speed"). `MembershipRow` writes its SQL once, from the models' own fields, and
builds the three instances from the row with the fields' own database converters, as the ORM's
select_related does (the same objects, the same cached relations)."""

from functools import cached_property

from django.db import connections
from rest_framework_simplejwt.authentication import JWTAuthentication as SimpleJWTAuthentication
from rest_framework_simplejwt.settings import api_settings

from .context import HEADER, parse_id
from .models import Membership, User, Workspace


class MembershipRow:
    """A Membership with its user and workspace from one row: by (user, workspace), or the user's personal one."""

    MODELS = ((Membership, "m"), (User, "u"), (Workspace, "w"))

    def __init__(self, using="default"):
        self.using = using

    @cached_property
    def _select(self):
        connection = connections[self.using]
        quote = connection.ops.quote_name
        columns, plan = [], []
        for model, alias in self.MODELS:
            fields = model._meta.concrete_fields
            columns += [f"{alias}.{quote(field.column)}" for field in fields]
            converters = [
                (i, [*connection.ops.get_db_converters(field.get_col(alias)), *field.get_db_converters(connection)])
                for i, field in enumerate(fields)
            ]
            plan.append((model, [field.attname for field in fields], [(i, c) for i, c in converters if c], len(fields)))
        # The workspace's first owner, whose plan budget its calls spend (throttling.quota_owner_id).
        owner = (
            f"(SELECT o.{quote('user_id')} FROM {quote(Membership._meta.db_table)} o WHERE o.{quote('workspace_id')} = m.{quote('workspace_id')}"
            f" AND o.{quote('role')} = %s ORDER BY o.{quote('id')} LIMIT 1)"
        )
        select = (
            f"SELECT {', '.join(columns)}, {owner} FROM {quote(Membership._meta.db_table)} m"
            f" INNER JOIN {quote(User._meta.db_table)} u ON u.{quote('id')} = m.{quote('user_id')}"
            f" INNER JOIN {quote(Workspace._meta.db_table)} w ON w.{quote('id')} = m.{quote('workspace_id')}"
            f" WHERE m.{quote('user_id')} = %s AND "
        )
        by_workspace = select + f"m.{quote('workspace_id')} = %s"
        personal = select + f"w.{quote('personal_owner_id')} = %s"
        return by_workspace, personal, plan

    def in_workspace(self, user_id, workspace_id):
        return self._fetch(self._select[0], [Membership.Role.OWNER, user_id, workspace_id])

    def personal(self, user_id):
        return self._fetch(self._select[1], [Membership.Role.OWNER, user_id, user_id])

    def _fetch(self, sql, params):
        connection = connections[self.using]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()  # (user, workspace) is unique, and so is a personal workspace's owner
        if row is None:
            return None
        plan = self._select[2]
        instances, start = [], 0
        for model, attnames, converters, width in plan:
            values = list(row[start:start + width])
            for i, functions in converters:
                for convert in functions:
                    values[i] = convert(values[i], None, connection)
            instances.append(model.from_db(self.using, attnames, values))
            start += width
        membership, user, workspace = instances
        workspace._quota_owner_id = row[-1]
        Membership.user.field.set_cached_value(membership, user)
        Membership.workspace.field.set_cached_value(membership, workspace)
        return membership


MEMBERSHIP_ROW = MembershipRow()


class JWTAuthentication(SimpleJWTAuthentication):
    def authenticate(self, request):
        self.request = request  # DRF makes one authenticator per request
        return super().authenticate(request)

    def get_user(self, validated_token):
        membership = self._membership(validated_token)
        if membership is None or not membership.user.is_active or api_settings.CHECK_REVOKE_TOKEN:
            return super().get_user(validated_token)  # its errors: user not found, inactive, password changed
        self.request._workspace_membership = membership
        return membership.user

    def _membership(self, validated_token):
        user_id = parse_id(validated_token.get(api_settings.USER_ID_CLAIM, ""))
        if user_id is None or api_settings.USER_ID_FIELD != "id":
            return None
        raw = self.request.META.get(HEADER, "").strip()
        if raw:
            workspace_id = parse_id(raw)
            return MEMBERSHIP_ROW.in_workspace(user_id, workspace_id) if workspace_id is not None else None
        return MEMBERSHIP_ROW.personal(user_id)
