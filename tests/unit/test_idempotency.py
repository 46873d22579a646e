"""What an idempotency record keeps of a request: a hash keyed by the person's key, which
erasing the person voids; neither the body nor the client's key string."""

from __future__ import annotations

import hashlib
import json
from uuid import uuid4

import pytest

from adapters.keystores import InMemoryKeyStore
from application.errors import IdempotencyKeyReusedError
from application.idempotency import IdempotencyKey, IdempotentRequest

BODY = {"name": "Zephirine Quasimodo", "email": "zephirine@courriel.example"}


def test_the_record_keeps_a_keyed_hash_and_no_request_nor_key() -> None:
    keys, person = InMemoryKeyStore(), uuid4()
    key = IdempotencyKey.of("inscription-zephirine", operation="consumers.register",
                            subject=str(person), request=BODY)
    record = key.record(uuid4(), person, keys.get_or_create(person))
    [created] = record.collect_events()
    stored = json.dumps(vars(created), default=str)
    plain = hashlib.sha256(key.request.encode()).hexdigest()
    assert "inscription-zephirine" not in stored and "Zephirine" not in stored
    assert plain not in stored and record.fingerprint != plain
    assert record.id == key.record_id


def test_a_replay_is_recognised_until_the_person_is_erased() -> None:
    keys, person, result = InMemoryKeyStore(), uuid4(), uuid4()
    key = IdempotencyKey.of("k1", operation="consumers.register", subject=str(person),
                            request=BODY)
    record = key.record(result, person, keys.get_or_create(person))
    assert key.replay(record, keys.get) == result
    other = IdempotencyKey.of("k1", operation="consumers.register", subject=str(person),
                              request={**BODY, "name": "Autre"})
    with pytest.raises(IdempotencyKeyReusedError):
        other.replay(record, keys.get)
    keys.delete(person)
    with pytest.raises(IdempotencyKeyReusedError):  # nothing left to tell it by
        key.replay(record, keys.get)


def test_records_of_the_first_version_still_replay() -> None:
    state = {"scope": "s:op", "key": "k1", "fingerprint": "", "result_id": uuid4()}
    key = IdempotencyKey.of("k1", operation="op", subject="s", request=BODY)
    state["fingerprint"] = hashlib.sha256(key.request.encode()).hexdigest()
    IdempotentRequest.Created.upcast_v1_v2(state)
    assert "key" not in state and state["hashed_for"] is None
    record = IdempotentRequest._create(IdempotentRequest.Created, id=key.record_id, **state)
    assert key.replay(record, InMemoryKeyStore().get) == state["result_id"]
