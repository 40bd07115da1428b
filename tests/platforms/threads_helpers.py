"""Small builders shared by the Threads and Reddit tests."""

import io

from social_media.platforms.base import MediaItem

# A 1x1 JPEG (smallest valid baseline JPEG), enough for servers that only check the bytes arrived.
TINY_JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c140d0c0b0b0c1912130f141d1a1f1e1d1a1c1c20242e"
    "2720222c231c1c2837292c30313434341f27393d38323c2e333432ffc0000b080001000101011100ffc4001f000001050101010101010000000000000000"
    "0102030405060708090a0bffc400b5100002010303020403050504040000017d01020300041105122131410613516107227114328191a1082342b1c11552"
    "d1f02433627282090a161718191a25262728292a3435363738393a434445464748494a535455565758595a636465666768696a737475767778797a838485"
    "868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2"
    "f3f4f5f6f7f8f9faffda0008010100003f00fbd3ffd9"
)


def media_item(data=TINY_JPEG, *, url=None, media_type="image", mime_type="image/jpeg", media_id=1, size=None, duration=None, alt=""):
    return MediaItem(
        media_id=media_id, media_type=media_type, mime_type=mime_type, file_size=size if size is not None else len(data),
        width=1, height=1, duration=duration, alt_text=alt, open=lambda: io.BytesIO(data),
        public_url=(lambda: url) if url is not None else None,
    )
