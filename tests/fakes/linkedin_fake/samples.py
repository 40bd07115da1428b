"""Response bodies the fake answers with, copied from LinkedIn's documentation and from real answers
people recorded in public issue threads (sources next to each). Placeholders in braces are filled in.

- learn.microsoft.com/linkedin/marketing/community-management/shares/posts-api (create: 201 with the
  post URN in `x-restli-id`; find by author; delete: 204), .../images-api (initializeUpload value:
  uploadUrlExpiresAt, uploadUrl, image), .../videos-api (initializeUpload value: uploadUrlsExpireAt,
  video, uploadInstructions [{uploadUrl, firstByte, lastByte}], uploadToken; finalizeUpload; status
  PROCESSING -> AVAILABLE | PROCESSING_FAILED), .../organizations/organization-access-control-by-role
  (organizationAcls elements: roleAssignee, state, role, organization), .../shares/network-update-social-actions
  (likesSummary.totalLikes, commentsSummary.aggregatedTotalComments), .../organizations/share-statistics
  (totalShareStatistics), LinkedIn's "Authorization Code Flow (3-legged OAuth)" page on learn.microsoft.com
  (token answer), .../sign-in-with-linkedin-v2 (userinfo).
"""

# jclusso/omniauth-linkedin-openid issue #6 (2024-09-17), a real 401 from LinkedIn.
REVOKED = {"status": 401, "serviceErrorCode": 65601, "code": "REVOKED_ACCESS_TOKEN",
           "message": "The token used in the request has been revoked by the user"}
# xcarpentier/react-native-linkedin issue #80 (2018): {"serviceErrorCode":65600,"message":"Invalid access token","status":401}
INVALID_TOKEN = {"status": 401, "serviceErrorCode": 65600, "code": "INVALID_ACCESS_TOKEN", "message": "Invalid access token"}
EXPIRED = {"status": 401, "serviceErrorCode": 65602, "code": "EXPIRED_ACCESS_TOKEN", "message": "The token used in the request has expired"}
EMPTY_TOKEN = {"status": 401, "serviceErrorCode": 65604, "code": "EMPTY_ACCESS_TOKEN", "message": "Empty oauth2 access token"}


def duplicate(urn: str) -> dict:
    """Arisamiga/Linkedin-RSS issue #5 (2023-12-14), a real 422 from POST /rest/posts."""
    return {"errorDetailType": "com.linkedin.common.error.BadRequest",
            "message": f"com.linkedin.content.common.exception.BadRequestResponseException: Content is a duplicate of {urn}",
            "errorDetails": {"inputErrors": [{"description": "Duplicate post is detected", "input": {}, "code": "DUPLICATE_POST"}]},
            "status": 422}


def access_denied(resource: str) -> dict:
    return {"status": 403, "serviceErrorCode": 100, "code": "ACCESS_DENIED", "message": f"Not enough permissions to access: {resource}"}


VERSION_MISSING = {"status": 400, "code": "VERSION_MISSING",
                   "message": "A version must be present. Please specify a version by adding the LinkedIn-Version header."}


def version_inactive(version: str) -> dict:
    return {"status": 426, "code": "NONEXISTENT_VERSION", "message": f"Requested version {version} is not active"}


# The wording of this one is ours: LinkedIn documents that /rest calls need the header, not its error text.
PROTOCOL_MISSING = {"status": 400, "code": "ILLEGAL_ARGUMENT", "message": "X-Restli-Protocol-Version 2.0.0 is required"}
TOO_MANY = {"status": 429, "serviceErrorCode": 101, "code": "TOO_MANY_REQUESTS", "message": "Resource level throttle APPLICATION DAY limit for calls to this resource is reached."}
SERVER_ERROR = {"status": 500, "message": "Internal Server Error"}
NOT_FOUND = {"status": 404, "serviceErrorCode": 0, "code": "NOT_FOUND", "message": "Not Found"}


def bad_request(message: str, status: int = 400) -> dict:
    return {"status": status, "message": message}
