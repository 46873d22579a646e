"""Ids derived from natural keys are stored ids: their derivations may never change."""

from __future__ import annotations

from uuid import UUID

from domain.natural_keys import claim_id, idempotency_id, key_id, webhook_delivery_id


def test_the_stored_derivations_never_change() -> None:
    # the values the first versions computed (2026-11-20): any change orphans stored records
    assert claim_id("neq", "1171234567") == UUID("6f1ffe67-a18d-5536-8457-db00fd5915d2")
    assert idempotency_id("s:op", "k") == UUID("08f4ba10-d0c3-5378-9c05-d9cebcac4593")
    assert webhook_delivery_id("evt_1") == UUID("c495f5fb-4400-5a36-a55f-757de6a8f686")


def test_a_key_names_one_id_and_its_parts_cannot_be_shuffled_into_another() -> None:
    assert key_id("kind", "a", "bc") == key_id("kind", "a", "bc")
    assert key_id("kind", "a", "bc") != key_id("kind", "ab", "c")
    assert key_id("kind", "a") != key_id("other", "a")
