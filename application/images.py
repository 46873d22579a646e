"""Images: listing photos and merchant logos (docs/merchants.md).

An upload is decoded and re-encoded by the `ImageCodec` port (Pillow): whatever the file
carried besides pixels (EXIF with GPS, ICC, XMP, comments, a payload appended after the
image) is gone, and each standard size is a fresh WebP. Its id is the start of the SHA-256
of the bytes uploaded, so the same file uploaded twice is one image and an address never
changes its bytes (cached for a year). Images are not events: the events that use one hold
its id (Merchant.ProfileChanged's logo, Listing.PhotosChanged's ordered ids).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from application.actors import Actor, Role
from application.errors import NotFoundError, denied
from application.ports import ImageCodec, ImageStore
from application.service import Service
from domain.errors import DomainError, FieldError, FieldErrors, ValidationFailedError
from domain.images import parse_image_id, parse_photos
from domain.listing import Listing
from domain.merchant import Merchant

# Size name -> longest side in pixels (never enlarged). og:image uses "large".
IMAGE_SIZES: dict[str, int] = {"small": 320, "medium": 800, "large": 1600}
CONTENT_TYPE = "image/webp"
_VERSION = b"comptoir-image-v1\0"  # a new encoding makes new ids, never new bytes at an old one


class ImageRejectedError(DomainError):
    """Not an image we take: `image_type_unsupported` (HTTP 415), or unreadable, or too
    many pixels (422)."""

    code = "image_unreadable"


class ImageTypeUnsupportedError(ImageRejectedError):
    """Not a JPEG, PNG or WebP, whatever its name or declared type said (HTTP 415)."""

    code = "image_type_unsupported"


class ImageTooLargeError(DomainError):
    """More bytes than allowed (HTTP 413)."""

    code = "image_too_large"


@dataclass(frozen=True)
class ImageLimits:
    max_bytes: int = 8 * 1024 * 1024
    max_pixels: int = 40_000_000  # a 48 MP phone photo is refused; decompression bombs too


@dataclass(frozen=True)
class StoredImage:
    id: str
    width: int
    height: int
    source_format: str


def image_key(image_id: str, size: str) -> str:
    return f"images/{image_id[:2]}/{image_id}/{size}.webp"


class Images(Service):
    def __init__(self, *args: Any, store: ImageStore, codec: ImageCodec,
                 limits: ImageLimits = ImageLimits(), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.store, self.codec, self.limits = store, codec, limits

    def upload(self, actor: Actor, merchant_id: UUID, data: bytes) -> StoredImage:
        """A merchant's member uploads an image it may then use as its logo or photos."""
        actor.require_signed_in()
        self._own_merchant(actor, merchant_id)
        if len(data) > self.limits.max_bytes:
            raise ImageTooLargeError(max_bytes=self.limits.max_bytes)
        decoded = self.codec.process(data, IMAGE_SIZES, self.limits.max_pixels)
        image_id = hashlib.sha256(_VERSION + data).hexdigest()[:32]
        for size, encoded in decoded.sizes.items():
            self.store.put(image_key(image_id, size), encoded, CONTENT_TYPE)
        return StoredImage(image_id, decoded.width, decoded.height, decoded.source_format)

    def read(self, image_id: str, size: str) -> bytes:
        """The stored bytes of one size of an image, or NotFoundError."""
        if size not in IMAGE_SIZES:
            raise NotFoundError("image")
        try:
            parse_image_id(image_id)
        except DomainError:
            raise NotFoundError("image") from None
        data = self.store.get(image_key(image_id, size))
        if data is None:
            raise NotFoundError("image")
        return data

    def uploaded(self, image_id: str) -> bool:
        return self.store.exists(image_key(image_id, "large"))

    def set_listing_photos(self, actor: Actor, listing_id: UUID,
                           photos: Sequence[str]) -> tuple[str, ...]:
        """The listing's photos, in this order (an empty list removes them)."""
        actor.require_signed_in()

        def attempt() -> tuple[str, ...]:
            listing = self.load(Listing, listing_id, "listing")
            if not actor.owns(listing.merchant_id):
                if actor.role in (Role.MERCHANT, Role.CONSUMER):
                    raise NotFoundError("listing")
                raise denied(actor.is_anonymous)
            errors = FieldErrors()
            checked = errors.parse("photos", parse_photos, photos)
            errors.raise_if_any()
            assert checked is not None
            self.check_uploaded(checked, "photos")
            if listing.change_photos(checked):
                self.save(listing)
            return tuple(listing.photos)

        return self.retrying(attempt, serialise=[listing_id])

    def check_uploaded(self, ids: Sequence[str], field: str) -> None:
        """Every id well formed and uploaded, or one error per id that is not."""
        errors = [FieldError(f"{field}.{i}", "image_unknown") for i, image_id in enumerate(ids)
                  if not self.uploaded(image_id)]
        if errors:
            raise ValidationFailedError(errors)

    def _own_merchant(self, actor: Actor, merchant_id: UUID) -> Merchant:
        if not actor.owns(merchant_id):
            if actor.role in (Role.MERCHANT, Role.CONSUMER):
                raise NotFoundError("merchant")
            raise denied(actor.is_anonymous)
        merchant = self.load(Merchant, merchant_id, "merchant")
        if not merchant.is_open:
            raise NotFoundError("merchant")
        return merchant
