"""Only approved merchants and their published listings enter the search model.

What is not (yet, or no longer) visible — an application under review, a draft, a withdrawn
listing, a suspended merchant's catalogue — is held apart as a plain document, never analysed
nor indexed: an anonymous application's text reaches no text search configuration, and what
search holds is exactly what a shopper may find. When a document becomes visible it moves into
the index; when it stops being visible it moves out.

`StagedIndex` gives the projection one `SearchIndex` over both places; each backend provides
the index (`SearchableRows`) and the held documents (`HeldDocuments`) over one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Protocol
from uuid import UUID

from projections.search.documents import ListingDoc, MerchantDoc


class SearchableRows(Protocol):
    """The searchable rows of a batch (a backend's unit of work)."""

    def merchant(self, merchant_id: UUID) -> MerchantDoc | None: ...

    def listing(self, listing_id: UUID) -> ListingDoc | None: ...

    def save_merchant(self, doc: MerchantDoc) -> None: ...

    def save_listing(self, doc: ListingDoc) -> None: ...

    def delete_merchant(self, merchant_id: UUID) -> None: ...

    def delete_listing(self, listing_id: UUID) -> None: ...

    def listings_of(self, merchant_id: UUID) -> list[ListingDoc]: ...


class HeldDocuments(Protocol):
    """Documents kept out of search, by id (same transaction as the rows)."""

    def merchant(self, merchant_id: UUID) -> MerchantDoc | None: ...

    def listing(self, listing_id: UUID) -> ListingDoc | None: ...

    def hold(self, doc: MerchantDoc | ListingDoc) -> None: ...

    def release(self, doc_id: UUID) -> None: ...

    def listings_of(self, merchant_id: UUID) -> list[ListingDoc]: ...


class StagedIndex:
    """The projection's SearchIndex: each document goes where its visibility says."""

    def __init__(self, rows: SearchableRows, held: HeldDocuments) -> None:
        self.rows, self.held = rows, held

    def merchant(self, merchant_id: UUID) -> MerchantDoc | None:
        return self.rows.merchant(merchant_id) or self.held.merchant(merchant_id)

    def listing(self, listing_id: UUID) -> ListingDoc | None:
        return self.rows.listing(listing_id) or self.held.listing(listing_id)

    def save_merchant(self, doc: MerchantDoc) -> None:
        if doc.visible:
            self.held.release(doc.id)
            self.rows.save_merchant(doc)
        else:
            self.rows.delete_merchant(doc.id)
            self.held.hold(doc)

    def save_listing(self, doc: ListingDoc) -> None:
        if doc.visible:
            self.held.release(doc.id)
            self.rows.save_listing(doc)
        else:
            self.rows.delete_listing(doc.id)
            self.held.hold(doc)

    def set_merchant_visibility(self, merchant_id: UUID, visible: bool) -> None:
        """Every listing of this merchant, searchable or held, follows its visibility."""
        self.change_merchant_listings(
            merchant_id, lambda doc: replace(doc, merchant_visible=visible))

    def change_merchant_listings(self, merchant_id: UUID,
                                 change: Callable[[ListingDoc], ListingDoc]) -> None:
        """Every listing of this merchant, searchable or held, changed alike."""
        for doc in [*self.rows.listings_of(merchant_id), *self.held.listings_of(merchant_id)]:
            self.save_listing(change(self.listing(doc.id) or doc))
