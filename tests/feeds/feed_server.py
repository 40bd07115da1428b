"""A feed server on 127.0.0.1 for the feeds tests, on tests/fakes/fake_server.py's FakeServer.

It serves documents written by hand after the specifications, and answers conditional GETs the way
RFC 9110 says (section 13.1.1 If-None-Match, 13.1.3 If-Modified-Since, 13.2.2 precedence: when
If-None-Match is present If-Modified-Since is ignored; 15.4.5 304 Not Modified carries the ETag):
  - RSS 2.0: https://www.rssboard.org/rss-specification — <rss version="2.0"><channel> with the required
    title, link and description; each <item> with title, link, description, <guid isPermaLink="false">
    and pubDate in RFC 822 form ("Sat, 07 Sep 2002 00:00:01 GMT").
  - Atom 1.0: RFC 4287 — <feed xmlns="http://www.w3.org/2005/Atom"> with the required id, title and
    updated (RFC 3339); each <entry> with id, title, updated, <link rel="alternate" href> and summary.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from xml.sax.saxutils import escape, quoteattr

from tests.fakes.fake_server import FakeServer, Reply

RSS_TYPE = "application/rss+xml; charset=utf-8"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
BASE_TIME = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


@dataclass
class Item:
    title: str
    link: str
    guid: str | None = None  # None: the item has no guid (RSS) — Atom entries always have an id
    summary: str = ""
    published: datetime = BASE_TIME


def rss(items: list[Item], *, title="Example blog") -> bytes:
    parts = [f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
  <channel>
    <title>{escape(title)}</title>
    <link>https://blog.example/</link>
    <description>Posts of an example blog</description>
    <language>en-us</language>
"""]
    for item in sorted(items, key=lambda i: i.published, reverse=True):  # newest first, as blogs do
        guid = f'    <guid isPermaLink="false">{escape(item.guid)}</guid>\n' if item.guid else ""
        parts.append(f"""    <item>
      <title>{escape(item.title)}</title>
      <link>{escape(item.link)}</link>
      <description>{escape(item.summary)}</description>
{guid}      <pubDate>{format_datetime(item.published, usegmt=True)}</pubDate>
    </item>
""")
    parts.append("  </channel>\n</rss>\n")
    return "".join(parts).encode()


def atom(items: list[Item], *, title="Example news") -> bytes:
    updated = max((i.published for i in items), default=BASE_TIME).isoformat().replace("+00:00", "Z")
    parts = [f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
  <title>{escape(title)}</title>
  <updated>{updated}</updated>
  <link rel="self" href="https://news.example/feed.atom"/>
  <author><name>Newsroom</name></author>
"""]
    for item in sorted(items, key=lambda i: i.published, reverse=True):
        parts.append(f"""  <entry>
    <id>{escape(item.guid or item.link)}</id>
    <title type="text">{escape(item.title)}</title>
    <link rel="alternate" href={quoteattr(item.link)}/>
    <updated>{item.published.isoformat().replace("+00:00", "Z")}</updated>
    <summary type="html">{escape(item.summary)}</summary>
  </entry>
""")
    parts.append("</feed>\n")
    return "".join(parts).encode()


@dataclass
class Document:
    body: bytes
    content_type: str
    etag: str = ""
    last_modified: datetime | None = None
    headers: dict | None = None  # more response headers (Content-Encoding: gzip)


class FeedServer(FakeServer):
    name = "feed"

    def __init__(self):
        super().__init__()
        self.documents: dict[str, Document] = {}
        self.redirects: dict[str, str] = {}  # path -> Location of a 302

    def reset(self):
        with self.lock:
            self.documents.clear()
            self.redirects.clear()
            self.requests.clear()
            self._faults.clear()

    def serve(self, path, body: bytes, content_type=RSS_TYPE, *, validators=True, headers=None):
        """Publish `body` at `path`; with validators, a new ETag and a Last-Modified a minute later than before."""
        with self.lock:
            previous = self.documents.get(path)
            version = (int(previous.etag.strip('"').split("-")[-1]) + 1) if previous and previous.etag else 1
            when = (previous.last_modified + timedelta(minutes=1)) if previous and previous.last_modified else BASE_TIME
            self.documents[path] = Document(body, content_type, f'"v-{version}"' if validators else "", when if validators else None, headers)

    def url(self, path):
        return self.base_url + path

    def route(self, request):
        if request.path in self.redirects:
            raise Reply(302, headers={"Location": self.redirects[request.path]})
        document = self.documents.get(request.path)
        if document is None:
            raise Reply(404, raw=b"not found", content_type="text/plain")
        headers = dict(document.headers or {})
        if document.etag:
            headers["ETag"] = document.etag
        if document.last_modified:
            headers["Last-Modified"] = format_datetime(document.last_modified, usegmt=True)
        if self._not_modified(request.headers, document):
            raise Reply(304, headers=headers)
        raise Reply(200, headers=headers, raw=document.body, content_type=document.content_type)

    @staticmethod
    def _not_modified(headers, document) -> bool:
        if "if-none-match" in headers:
            tags = [tag.strip().removeprefix("W/") for tag in headers["if-none-match"].split(",")]
            return bool(document.etag) and ("*" in tags or document.etag in tags)
        if "if-modified-since" in headers and document.last_modified:
            try:
                since = parsedate_to_datetime(headers["if-modified-since"])
            except (TypeError, ValueError):
                return False
            return document.last_modified <= since
        return False
