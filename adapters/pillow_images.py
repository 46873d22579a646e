"""The ImageCodec port with Pillow: decode an upload, check it, re-encode it as WebP.

Only JPEG, PNG and WebP decoders are allowed to open a file (the format is recognised by its
bytes, never by its name or declared type: an SVG or a text file named .jpg is refused). The
pixel count is checked from the header before anything is decoded, and Pillow's own
decompression-bomb guard is raised to an error at our limit too. Every size is drawn from
the decoded pixels into a new image: EXIF (GPS included), ICC, XMP, comments and any bytes
after the image never reach the output.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

from application.images import ImageRejectedError, ImageTypeUnsupportedError
from application.ports import DecodedImage

FORMATS = ("JPEG", "PNG", "WEBP")
QUALITY = 82
MIN_SIDE = 16


class PillowImageCodec:
    def process(self, data: bytes, sizes: dict[str, int], max_pixels: int) -> DecodedImage:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = _opened(data, max_pixels)
            try:
                image = ImageOps.exif_transpose(image)  # the way the camera was held; no EXIF
                image.load()
            except (OSError, ValueError, SyntaxError, Image.DecompressionBombError,
                    Image.DecompressionBombWarning):
                raise ImageRejectedError("image_unreadable") from None
        source = _pixels(image)
        largest = max(sizes.values())
        encoded = {name: _webp(source, side) for name, side in sizes.items()}
        width, height = _fitted(source.size, largest)
        return DecodedImage(width, height, str(image.format or _format(data)), encoded)


def _opened(data: bytes, max_pixels: int) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data), formats=FORMATS)
    except UnidentifiedImageError:
        raise ImageTypeUnsupportedError() from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejectedError("image_too_many_pixels", max_pixels=max_pixels) from None
    except (OSError, ValueError, SyntaxError):
        raise ImageRejectedError("image_unreadable") from None
    width, height = image.size
    if width * height > max_pixels:  # only the first frame of an animation is ever read
        raise ImageRejectedError("image_too_many_pixels", max_pixels=max_pixels)
    if min(width, height) < MIN_SIDE:
        raise ImageRejectedError("image_too_small", min_side=MIN_SIDE)
    return image


def _format(data: bytes) -> str:
    return Image.open(io.BytesIO(data), formats=FORMATS).format or "?"


def _pixels(image: Image.Image) -> Image.Image:
    """The first frame's pixels in a fresh image: RGBA if it had transparency, else RGB."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info)
    fresh = image.convert("RGBA" if has_alpha else "RGB")
    return Image.frombytes(fresh.mode, fresh.size, fresh.tobytes())


def _fitted(size: tuple[int, int], side: int) -> tuple[int, int]:
    width, height = size
    scale = min(1.0, side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _webp(source: Image.Image, side: int) -> bytes:
    resized = source.resize(_fitted(source.size, side), Image.Resampling.LANCZOS) \
        if max(source.size) > side else source
    out = io.BytesIO()
    resized.save(out, format="WEBP", quality=QUALITY, method=4)
    return out.getvalue()
