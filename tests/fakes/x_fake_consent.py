"""The consent page of the X fake's /i/oauth2/authorize, for browser tests (XFake.consent_page = True).

X: "This authorization flow lets you direct your users to an authorization dialog on X ... Your users
will be able to authorize your App or decline permission. After the user makes their choice, X will
redirect the user to your App" (docs.x.com, "OAuth 2.0 Authorization Code Flow with PKCE", How to
connect to the endpoints). The dialog's buttons read "Authorize app" and "Cancel". A declined request
is redirected with error=access_denied and the state (RFC 6749 section 4.1.2.1).

The page posts the request's own parameters back to the same path with the person's decision; the
fake then checks them exactly as it checks a GET, so the page is no more lenient than the dialog."""

import html

# The parameters X's authorize URL carries (docs.x.com, Step 1: Construct an Authorize URL).
AUTHORIZE_PARAMETERS = ("response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge", "code_challenge_method")

SCOPE_TEXT = {
    "tweet.read": "See posts from your timeline",
    "tweet.write": "Post and delete posts for you",
    "users.read": "See your profile information",
    "offline.access": "Stay connected to your account until you revoke access",
    "media.write": "Upload media for you",
    "like.read": "See posts you liked",
}


def consent_page(params, login):
    hidden = "".join(
        f'<input type="hidden" name="{name}" value="{html.escape(params.get(name, ""))}">'
        for name in AUTHORIZE_PARAMETERS if name in params
    )
    abilities = "".join(f"<li>{html.escape(SCOPE_TEXT[s])}</li>" for s in params.get("scope", "").split() if s in SCOPE_TEXT)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Authorize access to your account / X</title>
<link rel="icon" href="data:,"></head>
<body><main>
<h1>An app wants to access your X account</h1>
<p>Signed in as <strong>@{html.escape(login.username)}</strong> ({html.escape(login.name)}).</p>
<p>It will be able to:</p><ul>{abilities}</ul>
<form method="post" action="/i/oauth2/authorize">{hidden}
<button type="submit" name="decision" value="authorize" id="allow">Authorize app</button>
<button type="submit" name="decision" value="cancel" id="cancel">Cancel</button>
</form>
</main></body></html>"""
