"""Read a PNG as the tests need it, its size and its pixels, with no imaging library.

Only what resvg writes is read: 8 bits a channel, grey, RGB or RGBA, not interlaced. Anything
else fails loudly, so a change of encoder shows here rather than as a blank picture.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

import numpy

SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}  # colour type → channels


@dataclass
class Image:
    width: int
    height: int
    channels: int
    rows: list[bytes]

    def pixel(self, x: int, y: int) -> tuple[int, ...]:
        at = x * self.channels
        return tuple(self.rows[y][at : at + self.channels])

    def colours(self, top: int = 0, bottom: int | None = None) -> set[tuple[int, ...]]:
        """The distinct colours of the rows from `top` to `bottom`."""
        bottom = self.height if bottom is None else bottom
        c = self.channels
        return {
            tuple(row[at : at + c])
            for row in self.rows[top:bottom]
            for at in range(0, self.width * c, c)
        }

    def ink(self, top: int, bottom: int, darker_than: int = 128) -> list[int]:
        """The x of every pixel between rows `top` and `bottom` darker than `darker_than`."""
        c = self.channels
        found = []
        for row in self.rows[top:bottom]:
            for x in range(self.width):
                if sum(row[x * c : x * c + min(c, 3)]) < darker_than * min(c, 3):
                    found.append(x)
        return found


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def read(data: bytes) -> Image:
    assert data[:8] == SIGNATURE, "not a PNG: the signature is missing"
    at, chunks, header = 8, [], None
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind, body = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length : at + 12 + length])
        assert zlib.crc32(kind + body) == crc, f"the {kind!r} chunk's CRC is wrong"
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            chunks.append(body)
        elif kind == b"IEND":
            break
        at += 12 + length
    assert header is not None and chunks, "a PNG has a header and image data"
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in CHANNELS and interlace == 0, header
    channels = CHANNELS[colour]
    raw = zlib.decompress(b"".join(chunks))
    stride = width * channels
    assert len(raw) == height * (stride + 1), "the image data is not width × height"
    rows, previous = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        if kind == 0:
            pass
        elif kind == 1:  # each byte adds the one a pixel to its left: a running sum
            line = bytearray(
                numpy.cumsum(
                    numpy.frombuffer(bytes(line), numpy.uint8).reshape(-1, channels),
                    axis=0,
                    dtype=numpy.uint64,
                )
                .astype(numpy.uint8)
                .tobytes()
            )
        elif kind == 2:
            line = bytearray(
                (
                    numpy.frombuffer(bytes(line), numpy.uint8)
                    + numpy.frombuffer(bytes(previous), numpy.uint8)
                ).tobytes()
            )
        elif kind in (3, 4):
            for i in range(stride):
                left = line[i - channels] if i >= channels else 0
                up = previous[i]
                if kind == 3:
                    line[i] = (line[i] + (left + up) // 2) & 0xFF
                else:
                    corner = previous[i - channels] if i >= channels else 0
                    line[i] = (line[i] + _paeth(left, up, corner)) & 0xFF
        else:
            raise AssertionError(f"unknown filter {kind}")
        rows.append(bytes(line))
        previous = line
    return Image(width, height, channels, rows)


def size(data: bytes) -> tuple[int, int]:
    """(width, height) from the header alone, after checking the signature and the header's CRC."""
    assert data[:8] == SIGNATURE, "not a PNG: the signature is missing"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13, "a PNG starts with its header"
    (crc,) = struct.unpack(">I", data[29:33])
    assert zlib.crc32(data[12:29]) == crc, "the header's CRC is wrong"
    return struct.unpack(">II", data[16:24])
