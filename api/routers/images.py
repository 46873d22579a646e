"""Images (docs/merchants.md): a merchant uploads one (multipart, field `file`), then names
it as its logo (PATCH /v1/merchants/{id}/profile) or among a listing's photos; anyone reads
its standard sizes, cached for a year (the address names the bytes)."""

from __future__ import annotations

import re
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, File, Request, Response, UploadFile
from pydantic import BaseModel, Field

from api.deps import ImagesDep, SignedInDep
from api.problems import PROBLEM_RESPONSES
from api.routing import OneHopRoute
from api.schemas.common import Input
from api.schemas.merchants import ImageOut
from application.images import CONTENT_TYPE
from domain.images import MAX_PHOTOS

router = APIRouter(route_class=OneHopRoute, responses=PROBLEM_RESPONSES)
# the body guard's larger limit: the API's uploads, and the portal's logo and photo forms
UPLOADS = re.compile(r"^(/v1/merchants/[^/]+/images/?|/portail/commerce/logo"
                     r"|/portail/fiches/[^/]+/photos)$")
MULTIPART_OVERHEAD = 64 * 1024
IMMUTABLE = "public, max-age=31536000, immutable"


class UploadedImageOut(ImageOut):
    width: int = Field(description="Of the largest stored size")
    height: int
    source_format: str = Field(description="JPEG, PNG or WEBP: what was uploaded")


class PhotosIn(Input):
    photos: list[str] = Field(max_length=MAX_PHOTOS,
                              description="Image ids in the order shown; [] removes them all")


class PhotosOut(BaseModel):
    listing_id: UUID
    photos: list[ImageOut]


@router.post("/v1/merchants/{merchant_id}/images", status_code=201, tags=["merchants"],
             operation_id="uploadMerchantImage",
             summary="Upload an image (JPEG, PNG or WebP) for the logo or listing photos "
                     "(owner); stored re-encoded as WebP, without metadata")
def upload(merchant_id: UUID, file: Annotated[UploadFile, File()], images: ImagesDep,
           actor: SignedInDep, response: Response) -> UploadedImageOut:
    data = file.file.read(images.limits.max_bytes + 1)  # the body guard bounded it already
    stored = images.upload(actor, merchant_id, data)
    response.headers["Location"] = ImageOut.of(stored.id).urls["large"]
    return UploadedImageOut(**ImageOut.of(stored.id).model_dump(), width=stored.width,
                            height=stored.height, source_format=stored.source_format)


@router.put("/v1/listings/{listing_id}/photos", tags=["listings"],
            operation_id="setListingPhotos",
            summary="Set a listing's photos, in order, from uploaded images (owner)")
def set_photos(listing_id: UUID, body: PhotosIn, images: ImagesDep,
               actor: SignedInDep) -> PhotosOut:
    photos = images.set_listing_photos(actor, listing_id, body.photos)
    return PhotosOut(listing_id=listing_id, photos=[ImageOut.of(p) for p in photos])


@router.head("/images/{image_id}/{size}.webp", include_in_schema=False)
@router.get("/images/{image_id}/{size}.webp", tags=["images"], operation_id="getImage",
            summary="One size of an image (public, immutable)", response_class=Response,
            responses={200: {"content": {CONTENT_TYPE: {}}}, 304: {"description": "Unchanged"}})
def image(image_id: str, size: str, images: ImagesDep, request: Request) -> Response:
    etag = f'"{image_id}-{size}"'
    headers = {"Cache-Control": IMMUTABLE, "ETag": etag, "X-Content-Type-Options": "nosniff",
               "Content-Security-Policy": "default-src 'none'; sandbox"}
    data = images.read(image_id, size)  # unknown: a 404 problem
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(data, media_type=CONTENT_TYPE, headers=headers)
