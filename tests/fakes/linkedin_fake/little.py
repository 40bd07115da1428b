"""How LinkedIn shows a little-format commentary: the fake's own reading, independent of the adapter.

`\\x` shows x; a word-initial `#tag` is a hashtag; `{hashtag|\\#|tag}` shows #tag; any other unescaped
reserved character ends the shown text there (LinkedIn silently truncates at it, as reported in
apoorvdarshan/crossposter v1.1.5 and ComposioHQ/composio#2710).
"""

import re

RESERVED = set("\\|{}@[]()<>#*_~")
TEMPLATE = re.compile(r"\{hashtag\|\\#\|([^}|]*)\}")


def shown_text(little: str) -> str:
    out, i = [], 0
    while i < len(little):
        ch = little[i]
        if ch == "\\" and i + 1 < len(little):
            out.append(little[i + 1])
            i += 2
            continue
        if ch == "{":
            match = TEMPLATE.match(little, i)
            if not match:
                break
            out.append("#" + match.group(1))
            i = match.end()
            continue
        if ch == "#" and (i == 0 or little[i - 1].isspace()) and i + 1 < len(little) and little[i + 1].isalnum():
            out.append(ch)
            i += 1
            continue
        if ch in RESERVED:
            break
        out.append(ch)
        i += 1
    return "".join(out)
