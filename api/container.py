"""The composition root: settings in, a wired application out. Nothing is built at import."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from adapters.access_stores import RateLimits, Sessions
from adapters.aes_gcm import AesGcm
from adapters.audit_signing import AuditSigner, public_key_verifier
from adapters.audit_stores import (
    PostgresAuditChainStore,
    PostgresRawLog,
    SQLiteAuditChainStore,
    SQLiteRawLog,
    verify_store,
)
from adapters.backends import BACKENDS, Backend, ReadModels
from adapters.clock import SystemClock
from adapters.event_store import DatabaseUnreachableError, StorageConfig, check_database
from adapters.file_mailbox import FileMailbox
from adapters.image_stores import FileImageStore, S3ImageStore
from adapters.kek_files import FileKeyEncryptionKeys
from adapters.ledger_stores import PostgresLedgerStore, SQLiteLedgerStore
from adapters.link_signer import LinkTokens
from adapters.local_gateway import LocalGateway
from adapters.passwords import Argon2Passwords
from adapters.pillow_images import PillowImageCodec
from adapters.search_postgres import PostgresSearchStore
from adapters.search_sqlite import SQLiteSearchStore
from adapters.secrets_dir import SecretsExposedError, secret_in, secrets_directory
from adapters.smtp_mailer import SmtpMailer
from adapters.stored_streams import stored_streams
from adapters.webhook_transport import HttpxWebhookTransport
from api.auth import Tokens
from api.authentication import Authenticator
from api.oidc import OidcTokens
from api.settings import InvalidSettingsError, Settings
from application.acceptance import AcceptanceDeadlines
from application.accounts import Accounts
from application.api_keys import ApiKeys
from application.app import Comptoir
from application.audit import Audit
from application.carts import Carts
from application.catalog import Catalog
from application.checkout import Checkout
from application.commission_rules import CommissionRules
from application.consumers import Consumers
from application.images import ImageLimits, Images
from application.insights import Insights
from application.jobs import Jobs, SendingLoop
from application.listing_import import ListingImports
from application.lists import Lists
from application.merchant_pages import MerchantPages
from application.merchant_profiles import MerchantProfiles
from application.merchants import Merchants
from application.notifications.addressees import Addressees
from application.notifications.drafts import Reader
from application.notifications.erasure import MailErasure
from application.notifications.mailer import DevMailbox, Mailer
from application.notifications.sender import SEND_EVERY, MailSender
from application.notifications.triggers import NotificationProjection, Recipients
from application.orders import Orders
from application.payments import Payments
from application.payout_statements import PayoutStatements
from application.payouts import PayoutPolicy, PayoutProcess, Payouts
from application.ports import Clock, ImageStore, KeyStore, PaymentGateway, WebhookVerifier
from application.privacy import Privacy, RetentionPolicy
from application.service import ServiceOptions
from application.stock_feed import StockFeeds
from application.storefronts import Storefronts
from application.webhook_delivery import RetryPolicy, WebhookSender
from application.webhook_endpoints import WebhookEndpoints
from application.webhook_events import WebhookEvents
from application.webhook_fanout import WebhookFanout
from application.webhooks import Webhooks
from projections.audit_chain import VerificationReport
from projections.search.engine import Search
from projections.search.query import SearchReader
from projections.workers import Projections


@dataclass(repr=False)  # a repr of every part would fill a traceback
class Container:
    settings: Settings
    backend: Backend
    app: Comptoir
    keys: KeyStore
    tokens: Tokens
    merchants: Merchants
    catalog: Catalog
    stock_feeds: StockFeeds  # bulk stock by SKU (docs/catalogue.md)
    listing_imports: ListingImports  # catalogues from one file (docs/catalogue.md)
    search: SearchReader
    projections: Projections
    models: ReadModels
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
    merchant_pages: MerchantPages
    payout_statements: PayoutStatements
    accounts: Accounts
    api_keys: ApiKeys
    sessions: Sessions
    rate_limits: RateLimits
    authenticator: Authenticator
    mail: MailSender  # notifications (docs/notifications.md)
    dev_mailbox: DevMailbox | None  # development without SMTP: mails as files, at /dev/mail
    webhook_endpoints: WebhookEndpoints  # outbound webhooks (application/webhooks.py: inbound)
    webhook_jobs: SendingLoop  # their sender: woken by the outbox follower, else polling
    mail_jobs: SendingLoop  # the mail's sender, in its own thread
    lists: Lists  # paged lists with filters (docs/lists.md)
    commission_rules: CommissionRules  # set by admins, read at checkout (docs/payments.md)
    merchant_profiles: MerchantProfiles  # profile and identity changes (docs/merchants.md)
    images: Images  # logos and listing photos (docs/merchants.md)
    _closers: list[Any] = field(default_factory=list)

    @property
    def search_store(self) -> SQLiteSearchStore | PostgresSearchStore:
        return self.models.search

    @property
    def chain(self) -> SQLiteAuditChainStore | PostgresAuditChainStore:
        return self.models.chain

    @property
    def ledger(self) -> SQLiteLedgerStore | PostgresLedgerStore:
        return self.models.ledger

    def verify_chain(self, public_key_pem: str | None = None) -> VerificationReport:
        """Chain what is new, then recompute everything from the stored bytes; the
        checkpoints are checked with the platform's key, or with the one an auditor kept."""
        self.projections["audit"].catch_up()
        verifier = (public_key_verifier(public_key_pem) if public_key_pem
                    else self.signer.verifier())
        return verify_store(self.raw_log, self.chain, verifier)

    def start_work(self) -> None:
        """The background work: every read model's follower, the jobs, the senders of mail
        and webhooks (each piece done by the process holding its lease)."""
        self.projections.start()
        self.jobs.start()
        self.webhook_jobs.start()
        self.mail_jobs.start()

    def stop_work(self) -> None:
        self.jobs.stop()
        self.webhook_jobs.stop()
        self.mail_jobs.stop()
        self.projections.stop()

    def close(self) -> None:
        self.insights.stop()
        self.stop_work()
        self.app.close()
        for close in self._closers:
            with suppress(Exception):
                close()
        self.backend.close()


def storage_config(settings: Settings) -> StorageConfig:
    dsn = settings.postgres_dsn.get_secret_value() if settings.postgres_dsn else None
    return StorageConfig(
        data_dir=settings.data_dir, postgres_dsn=dsn if settings.backend == "postgres" else None,
        postgres_schema=settings.postgres_schema, pool_size=settings.postgres_pool_size,
        max_overflow=settings.postgres_max_overflow,
        connect_timeout=settings.postgres_connect_timeout)


# What start-up may refuse with a sentence for the operator (no traceback).
STARTUP_ERRORS = (InvalidSettingsError, DatabaseUnreachableError, SecretsExposedError)
REFUND_RETRY_AFTER = timedelta(minutes=1)  # a refund still unsettled then is tried again


def check_startup(settings: Settings) -> None:
    """The database answers and the secrets are private, or a StartupError says why."""
    check_database(storage_config(settings))
    secrets_directory(settings.data_dir)
    build_mailer(settings)
    build_image_store(settings)


def build_container(settings: Settings, clock: Clock | None = None) -> Container:
    mailer, dev_mailbox = build_mailer(settings)  # first: it may refuse, and opens nothing
    image_store = build_image_store(settings)  # the same
    storage = storage_config(settings)
    check_database(storage)
    secrets = secrets_directory(settings.data_dir)
    backend = BACKENDS[settings.backend](storage)  # the one place a backend is chosen
    # Processes starting together would race to create the same tables (PostgreSQL refuses
    # the second CREATE TABLE IF NOT EXISTS of a pair): one at a time.
    with backend.setting_up():
        return compose(settings, backend, secrets, mailer, dev_mailbox, image_store,
                       clock or SystemClock())


def compose(settings: Settings, backend: Backend, secrets: Path, mailer: Any,
            dev_mailbox: DevMailbox | None, image_store: Any, clock: Clock) -> Container:
    """Every store, use case and background worker, on one backend."""
    closers: list[Any] = []
    gateway, stripe_webhooks = build_gateway(settings, closers)
    keys = backend.key_store(FileKeyEncryptionKeys(secrets / "kek"))
    insight_store = backend.insights_store()
    signer = audit_signer(settings)
    models = backend.read_models(signer)
    app = Comptoir(backend.event_store_env(), keys, AesGcm())
    app.streams = stored_streams(app)
    shared: ServiceOptions = {"conflict_retries": settings.conflict_retries,
                              "locks": backend.aggregate_locks()}
    payouts = Payouts(app, gateway=gateway, clock=clock, policy=PayoutPolicy(
        settings.payout_release, timedelta(days=settings.payout_delay_days),
        settings.sell_without_payout_account), pending=models.ledger,
        public_base_url=settings.public_base_url, **shared)
    process = backend.process_store(PayoutProcess(payouts))
    mail_outbox = backend.mail_outbox(NotificationProjection(Recipients(app, **shared)))
    mail_outbox.start_at(app.log_position())
    mail_erasure = MailErasure(mail_outbox, dev_mailbox)
    webhook_events = WebhookEvents(app, **shared)
    outbox = backend.webhook_outbox(WebhookFanout(
        webhook_events, timedelta(hours=settings.webhook_give_up_hours)))
    # Background work (followers, jobs, senders) may start in several processes; the one
    # holding a piece's lease does it (adapters/leases.py, docs/deployment.md).
    leases = backend.leases()
    projections = Projections(app, [*models.stores, process, outbox, mail_outbox],
                              held=leases.holds)
    app.listeners.append(projections.wake)
    payments = Payments(app, gateway=gateway, clock=clock, acceptance_window=timedelta(
        hours=settings.acceptance_deadline_hours), **shared)
    consumers = Consumers(app, **shared)
    insights = Insights(insight_store, clock, regions_of=consumers.postal_areas)
    # For the use cases that report what people did:
    seen: ServiceOptions = {**shared, "sightings": insights}
    carts = Carts(app, **seen)
    commission_rules = CommissionRules(app, default_rate=settings.commission_rate, **shared)
    checkout = Checkout(
        app, carts=carts, payments=payments, clock=clock, sellers=payouts,
        commission_rate=settings.commission_rate, commission_rates=commission_rules,
        reservation_window=timedelta(minutes=settings.reservation_minutes),
        due_orders=models.deadlines, **seen)
    jobs = Jobs(settings.jobs_interval_seconds, held=leases.holds)
    jobs.add("expire_reservations", checkout.expire_due)
    acceptance = AcceptanceDeadlines(app, payments=payments, clock=clock,
                                     due_orders=models.acceptance, **shared)
    jobs.add("decline_unaccepted", acceptance.decline_overdue)
    jobs.add("payouts", payouts.tick)
    jobs.add("retry_payments",
             lambda: payments.retry_delayed(models.deadlines.waiting(clock.now(), 100)))
    # A refund the gateway did not do when it was decided (the request's own call comes first).
    jobs.add("retry_refunds", lambda: payments.retry_refunds(
        models.deadlines.unsettled_refunds(clock.now() - REFUND_RETRY_AFTER, 100)),
        every=REFUND_RETRY_AFTER.total_seconds())
    jobs.add("insights_forget_past_days", insights.forget_past_days)
    privacy = Privacy(app, clock=clock, retention=RetentionPolicy(
        settings.retention_consumer_months, settings.retention_merchant_contact_months),
        kek_rotation=timedelta(days=settings.kek_rotation_days),
        also_forget=[mail_erasure], **shared)
    jobs.add("rotate_kek", privacy.rotate_kek_if_due)
    webhook_endpoints, webhook_jobs = outbound_webhooks(settings, app, outbox, webhook_events,
                                                        clock, shared, closers)
    raw_log = backend.raw_log()
    access = backend.access_database()
    sessions = Sessions(access, timedelta(days=settings.session_days))
    rate_limits = RateLimits(access, rate_limit_rules(settings))
    jobs.add("forget_expired_sessions", sessions.forget_expired)
    jobs.add("forget_expired_rate_limits", rate_limits.forget_expired)
    accounts = Accounts(app, hasher=Argon2Passwords(), limiter=rate_limits,
                        links=LinkTokens(secret(settings.link_signing_key, secrets, "links")),
                        index_key=secret(settings.email_index_key, secrets, "email-index"),
                        members=models.lists, **shared)
    api_keys = ApiKeys(app, **shared)
    tokens = Tokens.from_settings(settings)
    authenticator = Authenticator(tokens, accounts, api_keys, sessions, oidc_tokens(settings))
    mail = MailSender(mail_outbox, Addressees(app, accounts=accounts, **shared),
                      Reader(app, accounts=accounts, base_url=settings.public_base_url, **shared),
                      mailer, clock, settings.mail_from, forget=mail_erasure)
    mail_jobs = SendingLoop("mail-sender", mail.send_due, SEND_EVERY, held=leases.holds)
    jobs.add("forget_done_mail", mail.forget_done, every=3600)

    def verify_chain() -> VerificationReport:
        projections["audit"].catch_up()  # chain what is new, then recompute it all
        return verify_store(raw_log, models.chain, signer.verifier())

    return Container(
        settings=settings, backend=backend, app=app, keys=keys,
        tokens=tokens, merchants=Merchants(app, **seen),
        catalog=Catalog(app, **seen), search=Search(models.search), projections=projections,
        stock_feeds=StockFeeds(app, **seen),
        listing_imports=ListingImports(app, **seen),
        models=models, consumers=consumers, insights=insights,
        storefronts=Storefronts(app, **shared), carts=carts, payments=payments,
        orders=Orders(app, payments=payments,
                      auditors_see_personal_data=settings.auditors_see_personal_data, **shared),
        checkout=checkout, jobs=jobs, gateway=gateway, payouts=payouts,
        webhooks=Webhooks(app, payments=payments, payouts=payouts, **shared),
        privacy=privacy,
        audit=Audit(app, log=raw_log, reveal_personal_data=settings.auditors_see_personal_data,
                    verification=verify_chain, **shared),
        raw_log=raw_log, signer=signer, stripe_webhooks=stripe_webhooks, _closers=closers,
        merchant_pages=MerchantPages(app, listings=models.search, **seen),
        payout_statements=PayoutStatements(models.ledger), accounts=accounts,
        api_keys=api_keys, sessions=sessions, rate_limits=rate_limits,
        authenticator=authenticator, webhook_endpoints=webhook_endpoints,
        webhook_jobs=webhook_jobs, mail_jobs=mail_jobs, mail=mail, dev_mailbox=dev_mailbox,
        lists=Lists(models.lists), commission_rules=commission_rules,
        merchant_profiles=MerchantProfiles(app, images=image_store, **shared),
        images=Images(app, store=image_store, codec=PillowImageCodec(), limits=ImageLimits(
            settings.image_max_bytes, settings.image_max_pixels), **shared),
    )


def outbound_webhooks(settings: Settings, app: Comptoir, outbox: Any, events: WebhookEvents,
                      clock: Clock, shared: ServiceOptions, closers: list[Any]
                      ) -> tuple[WebhookEndpoints, SendingLoop]:
    """The endpoints' use cases and the sender's job (docs/webhooks.md). Development allows
    plain-HTTP endpoints on this machine and private addresses; production refuses them."""
    development = settings.environment == "development"
    timeout = settings.webhook_timeout_seconds
    transport = HttpxWebhookTransport(timeout, allow_private=development)
    sender = WebhookSender(app, events=events, outbox=outbox, transport=transport, clock=clock,
                           policy=RetryPolicy(
                               timedelta(seconds=settings.webhook_retry_first_seconds),
                               timedelta(seconds=settings.webhook_retry_max_seconds),
                               timedelta(hours=settings.webhook_give_up_hours),
                               lease=timedelta(seconds=max(120, 6 * timeout))), **shared)
    closers += [sender.close, transport.close]
    loop = SendingLoop("webhook-sender", sender.send_due, settings.webhook_poll_seconds)
    outbox.listeners.append(loop.wake)  # deliveries queued: send now, not at the next poll
    return WebhookEndpoints(app, clock=clock, outbox=outbox, sender=sender,
                            allow_local=development, **shared), loop


def build_image_store(settings: Settings) -> ImageStore:
    """Uploaded images: under the data dir, or in an S3-compatible bucket (docs/merchants.md)."""
    if settings.image_store == "s3":
        if not settings.image_s3_bucket:
            raise InvalidSettingsError("COMPTOIR_IMAGE_STORE=s3 needs COMPTOIR_IMAGE_S3_BUCKET")
        return S3ImageStore(settings.image_s3_bucket, endpoint_url=settings.image_s3_endpoint_url,
                            region=settings.image_s3_region, prefix=settings.image_s3_prefix)
    return FileImageStore(settings.data_dir / "images")


def build_mailer(settings: Settings) -> tuple[Mailer, DevMailbox | None]:
    """SMTP when a server is configured; otherwise, in development, the mailbox of files
    under data_dir/mail (listed at /dev/mail). Production refuses to start without one."""
    if settings.smtp_host:
        password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
        return SmtpMailer(settings.smtp_host, settings.smtp_port, settings.smtp_tls,
                          settings.smtp_username, password), None
    if settings.environment == "development":
        mailbox = FileMailbox(settings.data_dir / "mail")
        return mailbox, mailbox
    raise InvalidSettingsError(
        "COMPTOIR_SMTP_HOST: production sends its mails through an SMTP server; set it (with "
        "COMPTOIR_SMTP_PORT, COMPTOIR_SMTP_TLS, COMPTOIR_SMTP_USERNAME, COMPTOIR_SMTP_PASSWORD "
        "and COMPTOIR_MAIL_FROM as needed)")


def secret(given: SecretStr | None, secrets: Path, name: str) -> bytes:
    """A secret from the settings, or made once in the secrets directory."""
    return given.get_secret_value().encode() if given else secret_in(secrets, name)


def csrf_secret(settings: Settings) -> str:
    """The key that signs browsers' CSRF tokens: the same for every process of a platform."""
    return secret(None, secrets_directory(settings.data_dir), "csrf").hex()


def rate_limit_rules(settings: Settings) -> dict[str, str]:
    return {rule: getattr(settings, f"limit_{rule}") for rule in (
        "sign_in_address", "sign_in_client", "sign_up_address", "sign_up_client", "reset_address",
        "reset_client", "apply_client", "search_client")}


def oidc_tokens(settings: Settings) -> OidcTokens | None:
    if not (settings.oidc_issuer and settings.oidc_audience):
        return None
    jwks = settings.oidc_jwks_url or settings.oidc_issuer.rstrip("/") + "/.well-known/jwks.json"
    return OidcTokens(settings.oidc_issuer, settings.oidc_audience, jwks,
                      settings.oidc_role_claim, settings.oidc_roles)


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
