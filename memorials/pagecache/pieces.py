"""A kept page with holes where each visitor's form token goes, compressed once, not once per visitor.

gzip's deflate stream may be cut into blocks that end on a byte (a "sync flush"). So the parts of the page
between the holes are each compressed once, when the page is kept, and every visitor's answer is those parts
with their own token between them, written as a stored (uncompressed) block, and gzip's header and trailer
around it all. What a browser receives is one ordinary gzip stream.

Each part is compressed knowing everything before it (a preset dictionary), as one stream would be, with the
holes in that dictionary filled with NUL bytes, which no page holds: so no part ever refers to a hole's
bytes, and the token in its place is never read by the compression at all. The token is never compressed
either, so its length on the wire says nothing about what is around it (BREACH). A token of another length
than the hole's (none is: Flask-WTF's are all alike) gets the page compressed whole, as before.
"""
from __future__ import annotations

import gzip
import struct
import zlib
from dataclasses import dataclass

HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"   # gzip, deflate, no name, no time, unknown system
LAST_BLOCK = b"\x03\x00"                                 # an empty final block (fixed Huffman codes)
FILLER = b"\x00"
WINDOW = 32 * 1024                                         # how far back deflate looks


@dataclass(frozen=True)
class Holed:
    """A page's parts around its holes, and each part compressed and ending on a byte (None: sent plain)."""

    parts: tuple[bytes, ...]
    compressed: tuple[bytes, ...] | None
    hole: int          # the length of the token each hole was made for
    level: int | None

    @property
    def size(self) -> int:
        return sum(map(len, self.parts)) + sum(map(len, self.compressed or ()))

    def filled(self, token: bytes) -> bytes:
        """The page as sent, with this token in every hole."""
        if self.compressed is None:
            return token.join(self.parts)
        if len(token) != self.hole:
            return gzip.compress(token.join(self.parts), compresslevel=self.level, mtime=0)
        stored = b"\x00" + struct.pack("<HH", len(token), len(token) ^ 0xFFFF) + token
        crc = 0
        for index, part in enumerate(self.parts):
            if index:
                crc = zlib.crc32(token, crc)
            crc = zlib.crc32(part, crc)
        length = sum(map(len, self.parts)) + len(token) * (len(self.parts) - 1)
        return b"".join((HEADER, stored.join(self.compressed), LAST_BLOCK,
                         struct.pack("<II", crc, length & 0xFFFFFFFF)))


def holed(body: bytes, token: bytes, level: int | None) -> Holed:
    """The body cut at each copy of `token` (at most 65,535 bytes), every part compressed at `level` (None: not
    compressed)."""
    parts = tuple(body.split(token))
    if level is None:
        return Holed(parts, None, len(token), None)
    # A NUL in the page itself (there is none) would make the filler ambiguous: then each part stands alone.
    dictionary = not any(FILLER in part for part in parts)
    compressed, before = [], b""
    for part in parts:
        window = before[-WINDOW:] if dictionary else b""
        compressor = (zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS, zdict=window) if window
                      else zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS))
        compressed.append(compressor.compress(part) + compressor.flush(zlib.Z_SYNC_FLUSH))
        before = (before + part + FILLER * len(token))[-WINDOW:]
    return Holed(parts, tuple(compressed), len(token), level)
