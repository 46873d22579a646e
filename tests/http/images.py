"""Images made for the tests: with GPS in their EXIF, with a payload after the image, or
claiming more pixels than any limit allows (a decompression bomb's header)."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import ExifTags, Image

TRAILER = b"<?php system($_GET['c']); ?>"


def jpeg_with_gps(size: tuple[int, int] = (1200, 800), orientation: int | None = None) -> bytes:
    """A JPEG whose EXIF holds a GPS position (and a camera), plus bytes after its end."""
    image = Image.new("RGB", size, (180, 120, 60))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Appareil photo"
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (45.0, 28.0, 36.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (75.0, 42.0, 5.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, quality=90)
    return out.getvalue() + TRAILER


def has_gps(data: bytes) -> bool:
    with Image.open(io.BytesIO(data)) as image:
        return bool(image.getexif().get_ifd(ExifTags.IFD.GPSInfo))


def png(size: tuple[int, int] = (400, 400), mode: str = "RGBA") -> bytes:
    image = Image.new(mode, size, (20, 80, 160, 200) if mode == "RGBA" else 1)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A PNG header saying width × height, with one tiny compressed row: what a
    decompression bomb looks like before anything is decoded."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
       b'<script>alert(document.cookie)</script></svg>')
