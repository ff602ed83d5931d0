"""Lavaplayer's `encoded` track blob, decoded and encoded locally (stdlib only).

Lavalink treats `encoded` as opaque and so should a bot; this codec exists so that
tracks can be inspected offline and so that the test kit can mint real blobs. Layout
(big-endian, Java "modified UTF-8" strings with a u16 length prefix):

```text
u32 header (flags << 30 | size)   u8 version (2 or 3)
utf title, utf author, i64 length, utf identifier, u8 is_stream
[u8 present, utf uri]  and, in version 3, [u8, utf artworkUrl] [u8, utf isrc]
utf source_name, source-specific bytes, i64 position
```

The source-specific bytes are a source's own fields (LavaSrc writes its album, artist and
preview fields there, `ExtendedAudioSourceManager.encodeTrack`): `encode_fields` writes them
and `read_fields` reads them back, in Lavaplayer's `DataOutput` forms.
"""

from __future__ import annotations

import base64
import binascii
import struct
import typing

from hikari_lavalink.errors import RemoteProtocolError
from hikari_lavalink.protocol.models import TrackInfo

if typing.TYPE_CHECKING:
    import collections.abc

__all__ = [
    "decode_track_blob",
    "decode_track_source_bytes",
    "encode_fields",
    "encode_track_blob",
    "read_fields",
]

_FLAG_VERSIONED: typing.Final = 1
_VERSION: typing.Final = 3


class _Reader:
    __slots__ = ("data", "offset")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.offset = 0

    def take(self, count: int) -> bytes:
        end = self.offset + count
        if end > len(self.data):
            msg = "track blob is truncated"
            raise ValueError(msg)
        chunk = self.data[self.offset : end]
        self.offset = end
        return chunk

    def u8(self) -> int:
        return self.take(1)[0]

    def i64(self) -> int:
        value: int = struct.unpack(">q", self.take(8))[0]
        return value

    def utf(self) -> str:
        (size,) = struct.unpack(">H", self.take(2))
        return _decode_modified_utf8(self.take(size))

    def optional_utf(self) -> str | None:
        return self.utf() if self.u8() else None


def _decode_modified_utf8(raw: bytes) -> str:
    # Java's modified UTF-8 writes NUL as C0 80 and astral characters as surrogate pairs.
    return (
        raw.replace(b"\xc0\x80", b"\x00")
        .decode("utf-8", "surrogatepass")
        .encode("utf-16", "surrogatepass")
        .decode("utf-16")
    )


def _encode_modified_utf8(text: str) -> bytes:
    utf16 = text.encode("utf-16-be", "surrogatepass")
    units = struct.unpack(f">{len(utf16) // 2}H", utf16)
    out = bytearray()
    for unit in units:
        if 0 < unit < 0x80:
            out.append(unit)
        elif unit < 0x800:
            out += bytes((0xC0 | unit >> 6, 0x80 | unit & 0x3F))
        else:
            out += bytes((0xE0 | unit >> 12, 0x80 | unit >> 6 & 0x3F, 0x80 | unit & 0x3F))
    if len(out) > 0xFFFF:
        msg = "string too long for a track blob"
        raise ValueError(msg)
    return struct.pack(">H", len(out)) + bytes(out)


def decode_track_blob(encoded: str) -> TrackInfo:
    """Decode an `encoded` track string into its [`TrackInfo`][hikari_lavalink.TrackInfo].

    Raises
    ------
    RemoteProtocolError
        The string is not base64, or not a version 2 or 3 Lavaplayer track message.
    """
    return decode_track_source_bytes(encoded)[0]


def decode_track_source_bytes(encoded: str) -> tuple[TrackInfo, bytes]:
    """Decode an `encoded` track string into its info and its source-specific bytes (empty when
    the source wrote none).

    Raises
    ------
    RemoteProtocolError
        The string is not base64, or not a version 2 or 3 Lavaplayer track message.
    """
    try:
        data = base64.b64decode(encoded, validate=True)
        reader = _Reader(data)
        (header,) = struct.unpack(">I", reader.take(4))
        flags, size = header >> 30, header & 0x3FFFFFFF
        if size != len(data) - 4:
            msg = f"track blob says {size} bytes but has {len(data) - 4}"
            raise ValueError(msg)
        version = reader.u8() if flags & _FLAG_VERSIONED else 1
        if version not in (2, 3):
            msg = f"unsupported track blob version {version}"
            raise ValueError(msg)
        title = reader.utf()
        author = reader.utf()
        length = reader.i64()
        identifier = reader.utf()
        is_stream = bool(reader.u8())
        uri = reader.optional_utf()
        artwork_url = reader.optional_utf() if version >= 3 else None
        isrc = reader.optional_utf() if version >= 3 else None
        source_name = reader.utf()
        # Source-specific bytes sit between the source name and the trailing position.
        if reader.offset > len(data) - 8:
            msg = "track blob is truncated"
            raise ValueError(msg)
        source_bytes = data[reader.offset : len(data) - 8]
        reader.offset = len(data) - 8
        position = reader.i64()
    except (ValueError, binascii.Error, struct.error, UnicodeError) as exc:
        raise RemoteProtocolError(f"invalid encoded track: {exc}", encoded) from None
    info = TrackInfo(
        identifier=identifier,
        is_seekable=not is_stream,
        author=author,
        length=length,
        is_stream=is_stream,
        position=position,
        title=title,
        uri=uri,
        artwork_url=artwork_url,
        isrc=isrc,
        source_name=source_name,
    )
    return info, source_bytes


def encode_fields(*fields: str | bool | None) -> bytes:
    """Source-specific bytes: each string or `None` as Lavaplayer's nullable text (a presence
    byte, then modified UTF-8), each bool as one byte."""
    out = bytearray()
    for field in fields:
        if isinstance(field, bool):
            out.append(1 if field else 0)
        elif field is None:
            out.append(0)
        else:
            out += b"\x01" + _encode_modified_utf8(field)
    return bytes(out)


def read_fields(
    data: bytes, kinds: collections.abc.Sequence[type[str] | type[bool]]
) -> list[str | bool | None] | None:
    """Read back what `encode_fields` wrote, one field per kind (`str` for a nullable text,
    `bool` for a byte); `None` when `data` does not hold exactly those fields."""
    reader = _Reader(data)
    try:
        fields = [bool(reader.u8()) if kind is bool else reader.optional_utf() for kind in kinds]
    except (ValueError, struct.error, UnicodeError):
        return None
    return fields if reader.offset == len(data) else None


def encode_track_blob(info: TrackInfo, *, source_bytes: bytes = b"") -> str:
    """Encode a [`TrackInfo`][hikari_lavalink.TrackInfo] as a version 3 Lavaplayer track message
    (base64), with a source's own fields (`source_bytes`, made by `encode_fields`) after the
    source name."""

    def optional(value: str | None) -> bytes:
        return b"\x00" if value is None else b"\x01" + _encode_modified_utf8(value)

    body = b"".join(
        (
            struct.pack(">B", _VERSION),
            _encode_modified_utf8(info.title),
            _encode_modified_utf8(info.author),
            struct.pack(">q", info.length),
            _encode_modified_utf8(info.identifier),
            struct.pack(">B", 1 if info.is_stream else 0),
            optional(info.uri),
            optional(info.artwork_url),
            optional(info.isrc),
            _encode_modified_utf8(info.source_name),
            source_bytes,
            struct.pack(">q", info.position),
        )
    )
    header = struct.pack(">I", _FLAG_VERSIONED << 30 | len(body))
    return base64.b64encode(header + body).decode("ascii")
