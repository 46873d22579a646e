"""Merchant pages: a merchant as anyone may see it at its shareable address, /m/{slug}.

A slug is claimed forever (`Claim("slug", slug, merchant_id)`, never handed over), so the
merchant a slug names never changes: it is remembered after the first look, and a page costs
one aggregate read (the merchant) and one read of its published listings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.utils import get_topic

from application.actors import Actor
from application.app import Comptoir
from application.errors import NotFoundError
from application.service import Service
from domain.address import Address
from domain.claim import Claim
from domain.geo import GeoPoint
from domain.merchant import Merchant, MerchantStatus
from domain.merchant_changes import OpeningHours
from domain.money import Money
from domain.slug import MAX_SLUG

MAX_LISTINGS = 200  # a page, not a catalogue export: beyond this the page says it shows part
MAX_REMEMBERED_SLUGS = 50_000  # slug -> merchant id entries (about 10 MB at most)
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_MAX_SLUG_WITH_SUFFIX = MAX_SLUG + 4  # "-2" ... "-999" on a clash
_APPROVED = get_topic(Merchant.Approved)


@dataclass(frozen=True)
class PublicListing:
    """What the public sees of a published listing: no stock level, only whether any is left."""

    id: UUID
    title_fr: str
    title_en: str | None
    price: Money
    in_stock: bool
    photo: str | None = None  # its first photo's image id


class PublishedListings(Protocol):
    def of_merchant(self, merchant_id: UUID, limit: int) -> list[PublicListing]:
        """Up to `limit` published listings of this merchant (of an approved merchant: the
        caller checks), the same ones from one call to the next."""


@dataclass(frozen=True)
class MerchantPage:
    """A merchant's public face. The contact person is deliberately absent: only the
    business's own data (its address is public, as on its storefront) ever reaches a page."""

    merchant_id: UUID
    slug: str
    name: str
    address: Address
    location: GeoPoint
    categories: tuple[str, ...]
    description_fr: str | None
    description_en: str | None
    website: str | None
    listings: tuple[PublicListing, ...]  # in no particular order: a page sorts what it shows
    more_listings: bool  # more than MAX_LISTINGS are published: the page shows the first ones
    hours: OpeningHours | None = None
    logo: str | None = None  # an image id (application/images.py)


class MerchantGoneError(NotFoundError):
    """The merchant was public and has closed: its link is gone for good (HTTP 410).
    A subclass of NotFoundError so that any handler unaware of it still answers 404."""

    code = "merchant_gone"

    def __init__(self, name: str) -> None:
        super().__init__("merchant")
        self.name = name


class MerchantPages(Service):
    def __init__(self, app: Comptoir, *, listings: PublishedListings, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.listings = listings
        self._holders: dict[str, UUID] = {}

    def by_slug(self, slug: str) -> MerchantPage:
        """The page of an approved merchant. Not found (unknown, under review, rejected,
        suspended) raises NotFoundError; closed after having been public, MerchantGoneError."""
        merchant = self._merchant(slug)
        if merchant.status == MerchantStatus.CLOSED and self._was_public(merchant.id):
            raise MerchantGoneError(merchant.name)
        if not merchant.is_approved:
            raise NotFoundError("merchant")
        listings = self.listings.of_merchant(merchant.id, MAX_LISTINGS + 1)
        self.sightings.saw(Actor.anonymous(), "fiche_view", [merchant.id])
        return MerchantPage(
            merchant.id, merchant.slug, merchant.name, merchant.address, merchant.location,
            merchant.categories, merchant.description_fr, merchant.description_en,
            merchant.website, tuple(listings[:MAX_LISTINGS]), len(listings) > MAX_LISTINGS,
            hours=merchant.hours, logo=merchant.logo,
        )

    def _merchant(self, slug: str) -> Merchant:
        if len(slug) > _MAX_SLUG_WITH_SUFFIX or not _SLUG.match(slug):
            raise NotFoundError("merchant")  # could never have been claimed: no read at all
        holder = self._holders.get(slug)
        if holder is None:
            claim = self.find(Claim.create_id("slug", slug))
            if not isinstance(claim, Claim):
                # Not remembered: an unknown slug may be claimed tomorrow.
                raise NotFoundError("merchant")
            holder = claim.holder_id
            if len(self._holders) >= MAX_REMEMBERED_SLUGS:
                self._holders.clear()  # crude but bounded; refilled by the next lookups
            self._holders[slug] = holder
        return self.load(Merchant, holder, "merchant")

    def _was_public(self, merchant_id: UUID) -> bool:
        """Whether it was ever approved: a closed application that never was stays unknown
        (404), so a page does not reveal who once applied. Topics only, nothing decoded; it
        is read for closed merchants alone."""
        events = self.app.recorder.select_events(merchant_id)
        return any(event.topic == _APPROVED for event in events)
