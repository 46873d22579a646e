"""The one eventsourcing Application: every aggregate in one totally ordered log."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import JSONTranscoder

from application.personal_data import PersonalDataAsCiphertext
from application.ports import Cipher, KeyStore
from application.transcodings import register_value_objects
from domain.listing import Listing


class Comptoir(Application[UUID]):
    name = "comptoir"
    # Listings see a stream of stock events from points of sale: snapshot them.
    snapshotting_intervals = {Listing: 20}  # noqa: RUF012 (eventsourcing's class attribute)

    def __init__(self, env: dict[str, str], keys: KeyStore, cipher: Cipher) -> None:
        self.keys = keys  # both read while the transcoder is built, in super().__init__
        self.cipher = cipher
        super().__init__(env)
        self.listeners: list[Callable[[int], None]] = []

    def announce(self, position: int) -> None:
        """Events up to `position` were just saved here: in-process followers look now."""
        for listener in self.listeners:
            listener(position)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_value_objects(transcoder)
        transcoder.register(PersonalDataAsCiphertext(self.keys, self.cipher))

    def log_position(self) -> int:
        return self.recorder.max_notification_id() or 0
