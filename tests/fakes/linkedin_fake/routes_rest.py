"""The versioned REST API (api.linkedin.com/rest/...): posts, images, videos and their upload URLs,
social actions, share statistics, organization ACLs and organizations. Every /rest call must carry
`LinkedIn-Version` (an active YYYYMM) and `X-Restli-Protocol-Version: 2.0.0`; URN path keys must be
percent-encoded (Rest.li 2.0). Wire shapes: see samples.py for the documentation pages followed.
"""

import re
import secrets
import time
from urllib.parse import unquote

from . import samples
from .little import shown_text
from .server import Reply

MAX_CHARACTERS = 3000


def now_ms() -> int:
    return int(time.time() * 1000)


def urn_key(raw: str) -> str:
    """A Rest.li 2.0 path key: an unencoded ':' is refused, as LinkedIn refuses it."""
    if ":" in raw:
        raise Reply(400, samples.bad_request(f"Invalid key '{raw}': URNs in the path must be URL-encoded"))
    return unquote(raw)


def list_values(value: str) -> list:
    match = re.fullmatch(r"List\((.*)\)", value or "")
    return [v for v in match.group(1).split(",") if v] if match else []


class RestRoutes:
    # --- gatekeeping ---------------------------------------------------------------------------
    def check_rest_headers(self, request):
        version = request.headers.get("linkedin-version")
        if not version:
            raise Reply(400, samples.VERSION_MISSING)
        if version not in self.active_versions:
            raise Reply(426, samples.version_inactive(version))
        if request.headers.get("x-restli-protocol-version") != "2.0.0":
            raise Reply(400, samples.PROTOCOL_MISSING)

    def authenticated(self, request) -> dict:
        header = request.headers.get("authorization", "")
        if not header.startswith("Bearer ") or not header[7:]:
            raise Reply(401, samples.EMPTY_TOKEN)
        held = self.access_tokens.get(header[7:])
        if held is None:
            raise Reply(401, samples.INVALID_TOKEN)
        if held["revoked"]:
            raise Reply(401, samples.REVOKED)
        if held["expires_at"] < time.time():
            raise Reply(401, samples.EXPIRED)
        return held

    def require(self, held, author: str, *, member_scope: str, organization_scope: str, resource: str):
        """The token may act for `author`: the member themself, or a page they administer."""
        member = held["member"]
        if author == member.urn and member_scope in held["scopes"]:
            return
        org = self.organizations.get(author.rsplit(":", 1)[-1]) if author.startswith("urn:li:organization:") else None
        if org and member.id in org.admins and organization_scope in held["scopes"]:
            return
        raise Reply(403, samples.access_denied(resource))

    # --- posts -----------------------------------------------------------------------------------
    def create_post(self, request, held):
        body = request.json if isinstance(request.json, dict) else {}
        for name in ("author", "commentary", "visibility", "distribution", "lifecycleState"):
            if name not in body:
                raise Reply(422, samples.bad_request(f"/{name} :: field is required but not found and has no default value", 422))
        self.require(held, body["author"], member_scope="w_member_social", organization_scope="w_organization_social",
                     resource="partnerApiPostsExternal.CREATE.20240101")
        shown = shown_text(body["commentary"])
        if len(shown.encode("utf-16-le")) // 2 > MAX_CHARACTERS:
            raise Reply(422, samples.bad_request(f"/commentary :: length exceeds {MAX_CHARACTERS} characters", 422))
        media = self._post_media(body.get("content") or {})
        for post in self.posts_by(body["author"]):
            if post.commentary == body["commentary"] and post.media == media:
                raise Reply(422, samples.duplicate(post.urn))
        post = self.add_post(body["author"], body["commentary"], media=media, body=body)
        raise Reply(201, None, {"x-restli-id": post.urn, "x-linkedin-id": post.urn})

    def _post_media(self, content: dict) -> list:
        items = [content["media"]] if "media" in content else (content.get("multiImage") or {}).get("images", [])
        if "multiImage" in content and not 2 <= len(items) <= 20:
            raise Reply(422, samples.bad_request("/content/multiImage/images :: a multi-image post has 2 to 20 images", 422))
        urns = []
        for item in items:
            urn = item.get("id", "")
            asset = self.images.get(urn) or self.videos.get(urn)
            if asset is None:
                raise Reply(422, samples.bad_request(f"/content/media/id :: {urn} does not exist", 422))
            if asset["status"] != "AVAILABLE":
                raise Reply(422, samples.bad_request(f"/content/media/id :: {urn} is not ready: {asset['status']}", 422))
            urns.append(urn)
        return urns

    def find_posts(self, request, held):
        q = request.query
        if q.get("q") != "author" or request.headers.get("x-restli-method", "").upper() != "FINDER":
            raise Reply(400, samples.bad_request("Unsupported finder: use q=author with X-RestLi-Method: FINDER"))
        author = q.get("author", "")
        self.require(held, author, member_scope="r_member_social", organization_scope="r_organization_social",
                     resource="partnerApiPostsExternal.FINDER-author.20240101")
        start, count = int(q.get("start", 0)), min(int(q.get("count", 10)), 100)
        key = "created_at" if q.get("sortBy") == "CREATED" else "modified_at"
        posts = sorted(self.posts_by(author), key=lambda p: getattr(p, key), reverse=True)
        page = posts[start:start + count]
        return {"paging": {"start": start, "count": count, "links": [], "total": len(posts)}, "elements": [p.as_json() for p in page]}

    def get_or_delete_post(self, request, held, key):
        post = self.post(urn_key(key))
        if post is None or post.deleted:
            raise Reply(404, samples.NOT_FOUND)
        if request.method == "GET":
            return post.as_json()
        self.require(held, post.author, member_scope="w_member_social", organization_scope="w_organization_social",
                     resource="partnerApiPostsExternal.DELETE.20240101")
        post.deleted = True
        raise Reply(204)

    # --- images and videos -----------------------------------------------------------------------
    def initialize_image(self, request, held):
        owner = ((request.json or {}).get("initializeUploadRequest") or {}).get("owner", "")
        self.require(held, owner, member_scope="w_member_social", organization_scope="w_organization_social", resource="images.ACTION-initializeUpload")
        urn = f"urn:li:image:D4E10AQ{secrets.token_hex(6)}"
        token = secrets.token_urlsafe(16)
        self.images[urn] = {"owner": owner, "status": "WAITING_UPLOAD", "bytes": b""}
        self.upload_slots[token] = ("image", urn, 0)
        return {"value": {"uploadUrlExpiresAt": now_ms() + 86_400_000, "uploadUrl": f"{self.base_url}/dms-uploads/{token}", "image": urn}}

    def initialize_video(self, request, held):
        ask = (request.json or {}).get("initializeUploadRequest") or {}
        self.require(held, ask.get("owner", ""), member_scope="w_member_social", organization_scope="w_organization_social",
                     resource="videos.ACTION-initializeUpload")
        size = int(ask.get("fileSizeBytes") or 0)
        urn = f"urn:li:video:C5F10AQ{secrets.token_hex(6)}"
        parts = []
        for first in range(0, size, self.video_part_size):
            token = secrets.token_urlsafe(16)
            self.upload_slots[token] = ("video", urn, first)
            parts.append({"uploadUrl": f"{self.base_url}/dms-uploads/{token}", "lastByte": min(first + self.video_part_size, size) - 1, "firstByte": first})
        self.videos[urn] = {"owner": ask.get("owner"), "status": "WAITING_UPLOAD", "size": size, "parts": {}, "etags": {}, "polls": 0,
                            "fail": self.fail_next_video}
        self.fail_next_video = ""
        return {"value": {"uploadUrlsExpireAt": now_ms() + 86_400_000, "video": urn, "uploadInstructions": parts, "uploadToken": ""}}

    def finalize_video(self, request, held):
        ask = (request.json or {}).get("finalizeUploadRequest") or {}
        video = self.videos.get(ask.get("video", ""))
        if video is None:
            raise Reply(404, samples.NOT_FOUND)
        if sorted(ask.get("uploadedPartIds") or []) != sorted(video["etags"].values()) or sum(map(len, video["parts"].values())) != video["size"]:
            raise Reply(400, samples.bad_request("uploadedPartIds do not match the uploaded parts"))
        video["status"] = "PROCESSING"
        raise Reply(200, None)

    def get_video(self, request, held, key):
        video = self.videos.get(urn_key(key))
        if video is None:
            raise Reply(404, samples.NOT_FOUND)
        if video["status"] == "PROCESSING":
            video["polls"] += 1
            if video["polls"] > self.video_processing_polls:
                video["status"] = "PROCESSING_FAILED" if video["fail"] else "AVAILABLE"
        answer = {"id": urn_key(key), "owner": video["owner"], "status": video["status"]}
        if video["status"] == "PROCESSING_FAILED":
            answer["processingFailureReason"] = video["fail"]
        return answer

    def upload(self, request, token):
        slot = self.upload_slots.get(token)
        if slot is None or request.method != "PUT":
            raise Reply(404, None)
        kind, urn, first = slot
        if kind == "image":
            self.authenticated(request)
            self.images[urn].update(status="AVAILABLE", bytes=request.body)
            raise Reply(201, None)
        video = self.videos[urn]
        video["parts"][first] = request.body
        video["etags"][first] = etag = f"/ambry-video/signedId/{secrets.token_hex(8)}"
        raise Reply(200, None, {"ETag": etag})

    # --- reads -------------------------------------------------------------------------------
    def social_actions(self, request, held, key):
        post = self.post(urn_key(key))
        if post is None or post.deleted:
            raise Reply(404, samples.NOT_FOUND)
        self.require(held, post.author, member_scope="r_member_social", organization_scope="r_organization_social", resource="socialActions.GET")
        return {"target": post.urn, "likesSummary": {"selectedLikes": [], "aggregatedTotalLikes": post.likes, "likedByCurrentUser": False,
                                                      "totalLikes": post.likes},
                "commentsSummary": {"selectedComments": [], "totalFirstLevelComments": post.comments, "commentsState": "OPEN",
                                    "aggregatedTotalComments": post.comments}}

    def share_statistics(self, request, held):
        q = request.query
        org = q.get("organizationalEntity", "")
        if q.get("q") != "organizationalEntity" or not org.startswith("urn:li:organization:"):
            raise Reply(400, samples.bad_request("q=organizationalEntity and an organization URN are required"))
        if not {"r_organization_admin", "rw_organization_admin"} & held["scopes"]:
            raise Reply(403, samples.access_denied("organizationalEntityShareStatistics.FINDER-organizationalEntity"))
        elements = []
        for urn in list_values(q.get("shares", "")) + list_values(q.get("ugcPosts", "")):
            post = self.post(urn)
            if post and post.author == org:
                stats = {"uniqueImpressionsCount": post.impressions, "shareCount": post.shares, "engagement": 0.0, "clickCount": post.clicks,
                         "likeCount": post.likes, "impressionCount": post.impressions, "commentCount": post.comments}
                elements.append({"totalShareStatistics": stats, "share": urn, "organizationalEntity": org})
        return {"paging": {"start": 0, "count": 10, "links": []}, "elements": elements}

    def organization_acls(self, request, held):
        q = request.query
        if q.get("q") != "roleAssignee":
            raise Reply(400, samples.bad_request("Unsupported finder"))
        if not {"r_organization_admin", "rw_organization_admin"} & held["scopes"]:
            raise Reply(403, samples.access_denied("organizationAcls.FINDER-roleAssignee"))
        member = held["member"]
        elements = [{"roleAssignee": member.urn, "state": "APPROVED", "role": "ADMINISTRATOR", "organization": org.urn,
                     "lastModified": {"actor": member.urn, "time": now_ms()}}
                    for org in self.organizations.values() if member.id in org.admins and q.get("role", "ADMINISTRATOR") == "ADMINISTRATOR"]
        return {"paging": {"start": 0, "count": 10, "links": [], "total": len(elements)}, "elements": elements}

    def network_size(self, request, held, urn):
        """GET /rest/networkSizes/{organization URN}?edgeType=COMPANY_FOLLOWED_BY_MEMBER -> {"firstDegreeSize": n}
        (learn.microsoft.com/linkedin/marketing/community-management/organizations/organization-lookup-api,
        "Retrieve Organization Follower Count"); the followers are 0 until a test sets `followers` on the
        organization. Asked by an app without the organization scopes: 403, as for the share statistics."""
        from urllib.parse import unquote

        urn = unquote(urn)
        if request.query.get("edgeType") != "COMPANY_FOLLOWED_BY_MEMBER" or not urn.startswith("urn:li:organization:"):
            raise Reply(400, samples.bad_request("edgeType=COMPANY_FOLLOWED_BY_MEMBER and an organization URN are required"))
        if not {"r_organization_admin", "rw_organization_admin"} & held["scopes"]:
            raise Reply(403, samples.access_denied("networkSizes.GET"))
        org = self.organizations.get(urn.rsplit(":", 1)[-1])
        if org is None:
            raise Reply(404, samples.NOT_FOUND)
        return {"firstDegreeSize": getattr(org, "followers", 0)}

    def organization(self, request, held, org_id):
        org = self.organizations.get(org_id)
        if org is None:
            raise Reply(404, samples.NOT_FOUND)
        return {"id": int(org.id), "localizedName": org.name, "vanityName": org.vanity_name, "name": {"localized": {"en_US": org.name}}}
