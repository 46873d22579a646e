"""The composition root: settings in, a wired application out. Nothing is built at import."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from psycopg import sql
from psycopg_pool import ConnectionPool

from adapters.clock import SystemClock
from adapters.deadlines_stores import PostgresDeadlinesStore, SQLiteDeadlinesStore
from adapters.event_store import eventsourcing_env, postgres_datastore
from adapters.keystores import PostgresKeyStore, SQLiteKeyStore
from adapters.ledger_stores import PostgresLedgerStore, SQLiteLedgerStore
from adapters.local_gateway import LocalGateway
from adapters.process_stores import PostgresProcessStore, SQLiteProcessStore
from adapters.search_postgres import PostgresSearchStore
from adapters.search_sqlite import SQLiteSearchStore
from api.auth import Tokens
from application.app import Comptoir
from application.carts import Carts
from application.catalog import Catalog
from application.checkout import Checkout
from application.consumers import Consumers
from application.jobs import Jobs
from application.locks import AggregateLocks
from application.merchants import Merchants
from application.orders import Orders
from application.payments import Payments
from application.payouts import PayoutPolicy, PayoutProcess, Payouts
from application.ports import Clock, KeyStore, PaymentGateway, WebhookVerifier
from application.privacy import Privacy, RetentionPolicy
from application.settings import Settings
from application.webhooks import Webhooks
from projections.search.engine import Search
from projections.search.query import SearchReader
from projections.workers import Projections


@dataclass
class Container:
    settings: Settings
    app: Comptoir
    keys: KeyStore
    tokens: Tokens
    merchants: Merchants
    catalog: Catalog
    search: SearchReader
    projections: Projections
    consumers: Consumers
    carts: Carts
    payments: Payments
    orders: Orders
    checkout: Checkout
    jobs: Jobs
    gateway: PaymentGateway
    payouts: Payouts
    webhooks: Webhooks
    privacy: Privacy
    stripe_webhooks: WebhookVerifier | None

    @property
    def search_store(self) -> SQLiteSearchStore | PostgresSearchStore:
        return self.projections["search"].store  # type: ignore[return-value]

    @property
    def ledger(self) -> SQLiteLedgerStore | PostgresLedgerStore:
        return self.projections["payouts"].store  # type: ignore[return-value]

    _closers: list[Any] = field(default_factory=list)

    def close(self) -> None:
        self.jobs.stop()
        self.projections.stop()
        self.app.close()
        for close in self._closers:
            with suppress(Exception):
                close()


def build_container(settings: Settings, clock: Clock | None = None) -> Container:
    closers: list[Any] = []
    keys: KeyStore
    search: SQLiteSearchStore | PostgresSearchStore
    deadlines: SQLiteDeadlinesStore | PostgresDeadlinesStore
    ledger: SQLiteLedgerStore | PostgresLedgerStore
    gateway, stripe_webhooks = build_gateway(settings, closers)
    clock = clock or SystemClock()
    if settings.backend == "postgres":
        pool = postgres_pool(settings)
        keys = PostgresKeyStore(pool, settings.postgres_schema)
        views = postgres_datastore(settings)
        search, deadlines = PostgresSearchStore(views), PostgresDeadlinesStore(views)
        ledger = PostgresLedgerStore(views)
        closers += [pool.close, views.close]
    else:
        keys = SQLiteKeyStore(settings.data_dir / "keys.sqlite3")
        search = SQLiteSearchStore(settings.data_dir / "search.sqlite3")
        deadlines = SQLiteDeadlinesStore(settings.data_dir / "deadlines.sqlite3")
        ledger = SQLiteLedgerStore(settings.data_dir / "ledger.sqlite3")
        closers += [keys.close, search.datastore.close, deadlines.datastore.close,
                    ledger.datastore.close]
    app = Comptoir(eventsourcing_env(settings), keys)
    shared = {"conflict_retries": settings.conflict_retries, "locks": AggregateLocks()}
    payouts = Payouts(app, gateway=gateway, clock=clock, policy=PayoutPolicy(
        settings.payout_release, timedelta(days=settings.payout_delay_days),
        settings.sell_without_payout_account), **shared)
    payouts.pending = ledger
    process: SQLiteProcessStore | PostgresProcessStore = (
        PostgresProcessStore(views, PayoutProcess(payouts)) if settings.backend == "postgres"
        else SQLiteProcessStore(settings.data_dir / "payouts-process.sqlite3",
                                PayoutProcess(payouts)))
    if isinstance(process, SQLiteProcessStore):
        closers.append(process.datastore.close)
    projections = Projections(app, [search, deadlines, ledger, process])
    app.listeners.append(projections.wake)
    payments = Payments(app, gateway=gateway, **shared)
    carts = Carts(app, **shared)
    checkout = Checkout(
        app, carts=carts, payments=payments, clock=clock, payouts=payouts,
        commission_rate=settings.commission_rate,
        reservation_window=timedelta(minutes=settings.reservation_minutes),
        due_orders=deadlines, **shared)
    jobs = Jobs(settings.jobs_interval_seconds)
    jobs.add("expire_reservations", checkout.expire_due)
    jobs.add("payouts", payouts.tick)
    return Container(
        settings=settings, app=app, keys=keys, tokens=Tokens.from_settings(settings),
        merchants=Merchants(app, **shared), catalog=Catalog(app, **shared),
        search=Search(search), projections=projections, consumers=Consumers(app, **shared),
        carts=carts, payments=payments, orders=Orders(app, payments=payments, **shared),
        checkout=checkout, jobs=jobs, gateway=gateway, payouts=payouts,
        webhooks=Webhooks(app, payments=payments, payouts=payouts, **shared),
        privacy=Privacy(app, clock=clock, retention=RetentionPolicy(
            timedelta(days=round(30.44 * settings.retention_consumer_months)),
            timedelta(days=round(30.44 * settings.retention_merchant_contact_months))),
            **shared),
        stripe_webhooks=stripe_webhooks, _closers=closers,
    )


def build_gateway(settings: Settings,
                  closers: list[Any]) -> tuple[PaymentGateway, WebhookVerifier | None]:
    verifier: WebhookVerifier | None = None
    if settings.stripe_webhook_secret is not None:
        from adapters.stripe_webhooks import StripeWebhooks

        verifier = StripeWebhooks(settings.stripe_webhook_secret.get_secret_value())
    if settings.gateway == "stripe":
        from adapters.stripe_gateway import StripeGateway

        if settings.stripe_secret_key is None:
            raise ValueError("COMPTOIR_STRIPE_SECRET_KEY is required for the Stripe gateway")
        return StripeGateway(settings.stripe_secret_key.get_secret_value(),
                             api_base=settings.stripe_api_base), verifier
    gateway = LocalGateway(settings.data_dir / "local-gateway.sqlite3")
    closers.append(gateway.close)
    return gateway, verifier


def postgres_pool(settings: Settings) -> ConnectionPool:
    assert settings.postgres_dsn is not None
    pool = ConnectionPool(
        settings.postgres_dsn.get_secret_value(), min_size=1,
        max_size=settings.postgres_pool_size, kwargs={"autocommit": True}, open=True,
        name="comptoir-keys",
    )
    with pool.connection() as conn:
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
            sql.Identifier(settings.postgres_schema)))
    return pool
