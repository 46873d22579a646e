"""The one settings object, read from COMPTOIR_* environment variables."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict
from pydantic_settings import SettingsError as SourceError


class InvalidSettingsError(Exception):
    pass


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COMPTOIR_", extra="ignore")

    # development (the default of `make run`): mails written to data_dir/mail and listed at
    # /dev/mail, session cookies without Secure, plain-HTTP webhook endpoints on 127.0.0.1.
    # production: none of these.
    environment: Literal["development", "production"] = "development"
    backend: Literal["sqlite", "postgres"] = "sqlite"
    data_dir: Path = Path("var")
    postgres_dsn: SecretStr | None = None  # postgresql://user:password@host:port/dbname
    postgres_schema: str = Field("public", pattern=r"^[a-z_][a-z0-9_]{0,62}$")
    postgres_pool_size: int = Field(10, ge=1, le=200)
    postgres_max_overflow: int = Field(10, ge=0, le=200)
    # Seconds to get a connection; eventsourcing tries 10 times before a request answers 503.
    postgres_connect_timeout: int = Field(5, ge=1, le=60)

    # JWT: HS256 secrets by key id; the first is used to sign tokens the CLI issues.
    # Unset: a random secret is created once in data_dir/secrets/ (development only).
    token_keys: dict[str, SecretStr] = Field(default_factory=dict)
    token_issuer: str = "comptoir"
    token_audience: str = "comptoir-api"
    token_ttl_minutes: int = Field(60 * 12, ge=1, le=60 * 24 * 30)
    # Refused at verification: a token that lives longer than this (a stolen one would too),
    # whoever signed it.
    token_max_lifetime_minutes: int = Field(60 * 12, ge=1, le=60 * 24 * 30)

    # Accounts. The blind index of e-mail addresses and the links of mails are keyed by
    # secrets made once in data_dir/secrets/ unless given (never change the index key: every
    # account would be lost to sign-in).
    email_index_key: SecretStr | None = None
    link_signing_key: SecretStr | None = None
    access_token_minutes: int = Field(15, ge=1, le=60 * 12,
                                      description="Lifetime of a sign-in's access token")
    session_days: float = Field(14, gt=0, le=90, description="A browser session's lifetime")
    # Rate limits (the `limits` library's notation), counted in the database.
    limit_sign_in_address: str = "10/15 minutes"
    limit_sign_in_client: str = "50/15 minutes"
    limit_sign_up_address: str = "3/day"  # "someone tried to sign up" mails to one address
    limit_sign_up_client: str = "20/hour"
    limit_reset_address: str = "5/hour"
    limit_reset_client: str = "20/hour"
    limit_apply_client: str = "30/hour"
    limit_search_client: str = "600/minute"
    # Single sign-on for staff: tokens of an OpenID Connect provider, checked against its
    # JWKS; the role claim's values map to roles (JSON: {"comptoir-admin": "admin"}).
    oidc_issuer: str | None = None
    oidc_audience: str | None = None
    oidc_jwks_url: str | None = None
    oidc_role_claim: str = "roles"
    oidc_roles: dict[str, str] = Field(default_factory=dict)
    # Mail (docs/notifications.md): through this SMTP server when set; otherwise written to
    # data_dir/mail/ in development, and production refuses to start.
    smtp_host: str | None = None
    smtp_port: int = Field(587, ge=1, le=65535)
    smtp_tls: Literal["none", "starttls", "tls"] = "starttls"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    mail_from: str = "Comptoir <ne-pas-repondre@comptoir.quebec>"
    # Outbound webhooks (docs/webhooks.md): each POST's timeout; after a failed attempt the
    # next comes first × 2^(n−1) later (capped, jittered), until give-up hours after the event.
    webhook_timeout_seconds: float = Field(10, gt=0, le=60)
    webhook_retry_first_seconds: float = Field(30, gt=0, le=3600)
    webhook_retry_max_seconds: float = Field(6 * 3600, gt=0, le=24 * 3600)
    webhook_give_up_hours: float = Field(72, gt=0, le=24 * 14)
    webhook_poll_seconds: float = Field(1.0, gt=0, le=60,
                                        description="How often the sender looks for due work")

    commission_rate: Decimal = Field(Decimal("0.08"), ge=0, le=Decimal("0.5"))
    reservation_minutes: float = Field(15, gt=0, le=24 * 60,
                                       description="How long checkout holds stock unpaid")
    acceptance_deadline_hours: float = Field(
        48, gt=0, le=24 * 30,
        description="A paid merchant order not accepted within this is declined and refunded")
    # The local gateway unless a Stripe secret key is configured (then Stripe Connect).
    payment_gateway: Literal["local", "stripe"] | None = None
    stripe_secret_key: SecretStr | None = None
    stripe_api_base: str | None = None  # another Stripe-compatible address (tests)
    stripe_webhook_secret: SecretStr | None = None  # whsec_…: POST /v1/payments/webhooks/stripe
    stripe_publishable_key: str | None = Field(
        None, description="pk_…: the shop's card form (Stripe's Payment Element)")
    payout_release: Literal["fulfilment", "capture"] = Field(
        "fulfilment", description="When a merchant's share may be transferred")
    payout_delay_days: float = Field(0, ge=0, le=90, description="After capture, if on capture")
    sell_without_payout_account: bool = Field(
        True, description="Merchants not yet onboarded sell; their funds are held")
    jobs_interval_seconds: float = Field(15, gt=0, le=3600)
    default_language: Literal["fr", "en"] = "fr"
    conflict_retries: int = Field(10, ge=0, le=50)

    # Law 25 retention: consumers' personal data is erased this long after their last activity
    # (when no order is still open); merchant contacts this long after the merchant left.
    retention_consumer_months: int = Field(24, ge=1, le=120)
    retention_merchant_contact_months: int = Field(24, ge=1, le=120)
    # The key-encryption key is replaced this often (and on demand): the longest time a copy
    # of an erased person's key in WAL, archives or backups stays usable.
    kek_rotation_days: float = Field(30, gt=0, le=365)

    # Audit: the Ed25519 key (PEM) signing the hash chain's checkpoints; unset: a key file
    # made once in data_dir/secrets/. Auditors see personal data only if this allows it.
    audit_signing_key: SecretStr | None = None
    auditors_see_personal_data: bool = False

    demo_data: bool = Field(False, description="Load the demo catalogue when the log is empty")
    run_projections: bool = Field(
        True, description="Do the background work (read models, jobs, mail) in the API process "
        "too; false when `comptoir work` processes do it (docs/deployment.md)")
    read_your_writes_timeout: float = Field(2.0, ge=0, le=30)

    max_body_bytes: int = Field(1_048_576, ge=1024, le=64 * 1_048_576)
    max_json_depth: int = Field(32, ge=4, le=256)
    # Images (docs/merchants.md): uploads up to these limits, stored in data_dir/images or in
    # an S3-compatible bucket (the `s3` extra: boto3; credentials from boto3's usual sources).
    image_store: Literal["files", "s3"] = "files"
    image_max_bytes: int = Field(8 * 1_048_576, ge=1024, le=64 * 1_048_576)
    image_max_pixels: int = Field(40_000_000, ge=10_000, le=100_000_000)
    image_s3_bucket: str | None = None
    image_s3_endpoint_url: str | None = None  # MinIO, Ceph...; unset: AWS
    image_s3_region: str | None = None
    image_s3_prefix: str = ""
    ready_max_lag_events: int = Field(1000, ge=0, description="/ready: read models this close")
    # /metrics and /ready's details (positions, lag, failed events) for admins only, unless
    # the operator exposes them (a scraper on a private network without a token).
    operations_details_public: bool = False
    log_format: Literal["json", "text"] = "json"

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    public_base_url: str = "http://127.0.0.1:8000"
    # The shop's map (docs/web.md): a tile server's URL template; "" draws the markers on a
    # plain background (no request leaves the page). Its origin is allowed by the pages' CSP.
    map_tiles_url: str = Field("https://tile.openstreetmap.org/{z}/{x}/{y}.png", max_length=300)
    map_tiles_attribution: str = Field("© OpenStreetMap", max_length=200)

    @classmethod
    def load(cls, **overrides: object) -> Settings:
        """The settings, or InvalidSettingsError naming each bad variable and why, never its
        value (COMPTOIR_TOKEN_KEYS or a DSN would end up on a terminal or in a log)."""
        try:
            return cls(**overrides)  # type: ignore[arg-type]
        except ValidationError as error:
            raise InvalidSettingsError("; ".join(
                f"COMPTOIR_{str(e['loc'][0]).upper()}: {e['msg']}" for e in error.errors()
            )) from None
        except SourceError as error:
            raise InvalidSettingsError(str(error).replace('"', "")) from None

    @property
    def gateway(self) -> Literal["local", "stripe"]:
        if self.payment_gateway is not None:
            return self.payment_gateway
        return "stripe" if self.stripe_secret_key is not None else "local"

    @property
    def event_store_path(self) -> Path:
        return self.data_dir / "comptoir.sqlite3"
