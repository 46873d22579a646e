"""The composition root: settings in, a wired application out. Nothing is built at import."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from eventsourcing.postgres import PostgresDatastore
from psycopg import sql
from psycopg_pool import ConnectionPool

from adapters.audit_signing import AuditSigner
from adapters.audit_stores import (
    PostgresAuditChainStore,
    PostgresRawLog,
    SQLiteAuditChainStore,
    SQLiteRawLog,
    verify_store,
)
from adapters.clock import SystemClock
from adapters.deadlines_stores import PostgresDeadlinesStore, SQLiteDeadlinesStore
from adapters.event_store import check_database, eventsourcing_env, postgres_datastore
from adapters.insights_store import PostgresInsightsStore, SQLiteInsightsStore
from adapters.kek_files import FileKeyEncryptionKeys
from adapters.keystores import PostgresKeyStore, SQLiteKeyStore
from adapters.ledger_stores import PostgresLedgerStore, SQLiteLedgerStore
from adapters.local_gateway import LocalGateway
from adapters.process_stores import PostgresProcessStore, SQLiteProcessStore
from adapters.search_postgres import PostgresSearchStore
from adapters.search_sqlite import SQLiteSearchStore
from adapters.secrets_dir import secrets_directory
from api.auth import Tokens
from api.fiche_listings import SearchModelListings
from application.app import Comptoir
from application.audit import Audit
from application.carts import Carts
from application.catalog import Catalog
from application.checkout import Checkout
from application.consumers import Consumers
from application.fiches import Fiches
from application.insights import Insights
from application.jobs import Jobs
from application.locks import AggregateLocks
from application.merchants import Merchants
from application.orders import Orders
from application.payments import Payments
from application.payouts import PayoutPolicy, PayoutProcess, Payouts
from application.ports import Clock, KeyStore, PaymentGateway, WebhookVerifier
from application.privacy import Privacy, RetentionPolicy
from application.settings import Settings
from application.storefronts import Storefronts
from application.webhooks import Webhooks
from projections.audit_chain import VerificationReport
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
    audit: Audit
    insights: Insights
    storefronts: Storefronts
    raw_log: SQLiteRawLog | PostgresRawLog
    signer: AuditSigner
    stripe_webhooks: WebhookVerifier | None
    fiches: Fiches

    @property
    def search_store(self) -> SQLiteSearchStore | PostgresSearchStore:
        return self.projections["search"].store  # type: ignore[return-value]

    @property
    def chain(self) -> SQLiteAuditChainStore | PostgresAuditChainStore:
        return self.projections["audit"].store  # type: ignore[return-value]

    def verify_chain(self) -> VerificationReport:
        """Chain what is new, then recompute everything from the stored bytes."""
        self.projections["audit"].catch_up()
        return verify_store(self.raw_log, self.chain, self.signer.verifier())

    @property
    def ledger(self) -> SQLiteLedgerStore | PostgresLedgerStore:
        return self.projections["payouts"].store  # type: ignore[return-value]

    _closers: list[Any] = field(default_factory=list)

    def close(self) -> None:
        self.insights.stop()
        self.jobs.stop()
        self.projections.stop()
        self.app.close()
        for close in self._closers:
            with suppress(Exception):
                close()


def build_container(settings: Settings, clock: Clock | None = None) -> Container:
    check_database(settings)
    secrets = secrets_directory(settings.data_dir)
    keks = FileKeyEncryptionKeys(secrets / "kek")
    closers: list[Any] = []
    keys: KeyStore
    gateway, stripe_webhooks = build_gateway(settings, closers)
    clock = clock or SystemClock()
    if settings.backend == "postgres":
        pool = postgres_pool(settings)
        keys = PostgresKeyStore(pool, settings.postgres_schema, keks)
        insight_store: SQLiteInsightsStore | PostgresInsightsStore = PostgresInsightsStore(
            pool, settings.postgres_schema)
        closers.append(pool.close)
    else:
        keys = SQLiteKeyStore(secrets / "keys.sqlite3", keks,
                              legacy=settings.data_dir / "keys.sqlite3")
        insight_store = SQLiteInsightsStore(settings.data_dir / "insights.sqlite3")
        closers += [keys.close, insight_store.close]
    signer = audit_signer(settings)
    models = read_models(settings, closers, signer)
    raw_log: SQLiteRawLog | PostgresRawLog = (
        PostgresRawLog(models.views, settings.postgres_schema) if models.views
        else SQLiteRawLog(settings.event_store_path))
    search, deadlines, ledger = models.search, models.deadlines, models.ledger
    app = Comptoir(eventsourcing_env(settings), keys)
    shared = {"conflict_retries": settings.conflict_retries, "locks": AggregateLocks()}
    payouts = Payouts(app, gateway=gateway, clock=clock, policy=PayoutPolicy(
        settings.payout_release, timedelta(days=settings.payout_delay_days),
        settings.sell_without_payout_account), **shared)
    payouts.pending = ledger
    process: SQLiteProcessStore | PostgresProcessStore = (
        PostgresProcessStore(models.views, PayoutProcess(payouts)) if models.views
        else SQLiteProcessStore(settings.data_dir / "payouts-process.sqlite3",
                                PayoutProcess(payouts)))
    if isinstance(process, SQLiteProcessStore):
        closers.append(process.datastore.close)
    projections = Projections(app, [*models.stores, process])
    app.listeners.append(projections.wake)
    payments = Payments(app, gateway=gateway, **shared)
    consumers = Consumers(app, **shared)
    insights = Insights(insight_store, clock, region_of=consumers.postal_area)
    carts = Carts(app, sightings=insights, **shared)
    checkout = Checkout(
        app, carts=carts, payments=payments, clock=clock, payouts=payouts,
        commission_rate=settings.commission_rate,
        reservation_window=timedelta(minutes=settings.reservation_minutes),
        due_orders=deadlines, sightings=insights, **shared)
    jobs = Jobs(settings.jobs_interval_seconds)
    jobs.add("expire_reservations", checkout.expire_due)
    jobs.add("payouts", payouts.tick)
    jobs.add("retry_payments", lambda: payments.retry_delayed(deadlines.waiting(clock.now(), 100)))
    jobs.add("insights_forget_past_days", insights.forget_past_days)
    privacy = Privacy(app, clock=clock, retention=RetentionPolicy(
        timedelta(days=round(30.44 * settings.retention_consumer_months)),
        timedelta(days=round(30.44 * settings.retention_merchant_contact_months))),
        kek_rotation=timedelta(days=settings.kek_rotation_days), **shared)
    jobs.add("rotate_kek", privacy.rotate_kek_if_due)
    return Container(
        settings=settings, app=app, keys=keys, tokens=Tokens.from_settings(settings),
        merchants=Merchants(app, **shared), catalog=Catalog(app, **shared),
        search=Search(search), projections=projections, consumers=consumers, insights=insights,
        storefronts=Storefronts(app, **shared),
        carts=carts, payments=payments, orders=Orders(
            app, payments=payments,
            auditors_see_personal_data=settings.auditors_see_personal_data, **shared),
        checkout=checkout, jobs=jobs, gateway=gateway, payouts=payouts,
        webhooks=Webhooks(app, payments=payments, payouts=payouts, **shared),
        privacy=privacy,
        audit=Audit(app, log=raw_log, reveal_personal_data=settings.auditors_see_personal_data,
                    **shared),
        raw_log=raw_log, signer=signer,
        stripe_webhooks=stripe_webhooks, _closers=closers,
        fiches=Fiches(app, listings=SearchModelListings(search), **shared),
    )


@dataclass
class ReadModels:
    """The read models of one store (the live ones, or a scratch copy to compare with)."""

    search: SQLiteSearchStore | PostgresSearchStore
    deadlines: SQLiteDeadlinesStore | PostgresDeadlinesStore
    ledger: SQLiteLedgerStore | PostgresLedgerStore
    chain: SQLiteAuditChainStore | PostgresAuditChainStore
    views: PostgresDatastore | None  # PostgreSQL: the datastore they share

    @property
    def stores(self) -> list[Any]:
        return [self.search, self.deadlines, self.ledger, self.chain]


def read_models(settings: Settings, closers: list[Any], signer: AuditSigner) -> ReadModels:
    """In `settings.data_dir` (SQLite files) or `settings.postgres_schema`."""
    if settings.backend == "postgres":
        views = postgres_datastore(settings)
        closers.append(views.close)
        return ReadModels(PostgresSearchStore(views), PostgresDeadlinesStore(views),
                          PostgresLedgerStore(views), PostgresAuditChainStore(views, signer),
                          views)
    models = ReadModels(SQLiteSearchStore(settings.data_dir / "search.sqlite3"),
                        SQLiteDeadlinesStore(settings.data_dir / "deadlines.sqlite3"),
                        SQLiteLedgerStore(settings.data_dir / "ledger.sqlite3"),
                        SQLiteAuditChainStore(settings.data_dir / "audit.sqlite3", signer), None)
    closers.extend(store.datastore.close for store in models.stores)
    return models


def audit_signer(settings: Settings) -> AuditSigner:
    """The platform's Ed25519 key that signs chain checkpoints (its public half is what
    auditors keep): from COMPTOIR_AUDIT_SIGNING_KEY, else a file made once in the data dir."""
    if settings.audit_signing_key is not None:
        return AuditSigner.from_pem(settings.audit_signing_key.get_secret_value())
    return AuditSigner.load_or_create(settings.data_dir / "secrets" / "audit-ed25519.pem")


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
        name="comptoir-keys", timeout=settings.postgres_connect_timeout * 2,
    )
    with pool.connection() as conn:
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
            sql.Identifier(settings.postgres_schema)))
    return pool
