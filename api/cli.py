"""The `comptoir` command line."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated
from uuid import UUID, uuid4

import typer
import uvicorn
from rich.console import Console
from rich.progress import Progress, TextColumn
from rich.table import Table
from uvicorn.supervisors import Multiprocess

from api import heap
from api.auth import Tokens
from api.container import STARTUP_ERRORS, Container, build_container, check_startup
from api.i18n import message
from api.importer import Importer, rows
from api.listening import TcpConfig
from api.listing_import import ListingImporter, file_rows
from api.main import create_app, load_demo_if_log_empty
from api.observability import json_logging
from api.replay import replay
from api.settings import Settings
from application.actors import Actor, Role
from application.demo import DEMO_PASSWORD, demo_people, load_demo, run_story
from application.errors import NotFoundError
from application.reconciliation import reconcile
from domain.account import StaffRole
from domain.errors import DomainError
from domain.money import Money
from projections.follower import RebuildRefusedError

# No local variables in tracebacks: they hold keys, DSNs and personal data.
cli = typer.Typer(help="Comptoir: event-sourced local-buying marketplace for Québec.",
                  no_args_is_help=True, pretty_exceptions_show_locals=False)
token_cli = typer.Typer(help="Bearer tokens for development and tests.", no_args_is_help=True)
demo_cli = typer.Typer(help="The demo catalogue.", no_args_is_help=True)
project_cli = typer.Typer(help="Read models (projections) of the event log.",
                          no_args_is_help=True)
cli.add_typer(token_cli, name="token")
cli.add_typer(demo_cli, name="demo")
import_cli = typer.Typer(help="Bulk imports.", no_args_is_help=True)
cli.add_typer(project_cli, name="project")
cli.add_typer(import_cli, name="import")
listings_cli = typer.Typer(help="A merchant's catalogue.", no_args_is_help=True)
cli.add_typer(listings_cli, name="listings")
payouts_cli = typer.Typer(help="Merchant payouts.", no_args_is_help=True)
cli.add_typer(payouts_cli, name="payouts")
privacy_cli = typer.Typer(help="Law 25: retention and erasure.", no_args_is_help=True)
retention_cli = typer.Typer(help="Retention rules.", no_args_is_help=True)
privacy_cli.add_typer(retention_cli, name="retention")
cli.add_typer(privacy_cli, name="privacy")
audit_cli = typer.Typer(help="Audit: the hash chain, time travel, replay.", no_args_is_help=True)
cli.add_typer(audit_cli, name="audit")
accounts_cli = typer.Typer(help="Accounts: the first admin, staff roles.", no_args_is_help=True)
cli.add_typer(accounts_cli, name="accounts")
console = Console()


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="TCP port")] = None,
    demo: Annotated[bool, typer.Option(help="Load the demo catalogue if the log is empty")] = False,
    workers: Annotated[int, typer.Option(
        min=1, max=64, help="HTTP processes (PostgreSQL; docs/deployment.md)")] = 1,
) -> None:
    """Serve the HTTP API and the web pages (OpenAPI at /docs)."""
    overrides = {"demo_data": True} if demo else {}
    settings = Settings.load(**overrides)
    if workers > 1 and settings.backend != "postgres":
        raise typer.BadParameter("one process serves an SQLite data directory; several need "
                                 "COMPTOIR_BACKEND=postgres", param_hint="--workers")
    check_startup(settings)  # a refused database or exposed secrets: said before serving
    base = f"http://{host or settings.host}:{port or settings.port}"
    if "public_base_url" not in settings.model_fields_set:
        # Links in mails and pages lead back to this server unless a public URL is set.
        settings = settings.model_copy(update={"public_base_url": base})
    console.print(f"[bold]Comptoir[/] on {settings.backend}; docs at {base}/docs")
    if settings.demo_data and settings.environment == "development":
        table = Table(title=f"Demo accounts (password: {DEMO_PASSWORD}); mail at {base}/dev/mail")
        table.add_column("e-mail", no_wrap=True)
        table.add_column("account")
        for email, what in demo_people():
            table.add_row(email, what)
        console.print(table)
    logging_config = json_logging() if settings.log_format == "json" else None
    if workers == 1:
        uvicorn.run(create_app(settings), host=host or settings.host,
                    port=port or settings.port, log_level="info", log_config=logging_config)
        return
    if settings.demo_data:  # once, here, rather than racing in every process
        container = build_container(settings)
        try:
            load_demo_if_log_empty(container)
        finally:
            container.close()
    # Each process builds its own app from the environment (uvicorn starts them afresh).
    os.environ.update({"COMPTOIR_PUBLIC_BASE_URL": settings.public_base_url,
                       "COMPTOIR_DEMO_DATA": "false"})
    config = TcpConfig("api.main:create_app", factory=True, workers=workers,
                       host=host or settings.host, port=port or settings.port,
                       log_level="info", log_config=logging_config)
    try:
        listener = config.bind_socket()  # one per process (api/listening.py)
    except OSError as refused:
        raise typer.BadParameter(f"cannot listen on {config.host}:{config.port}: "
                                 f"{refused.strerror}", param_hint="--port") from None
    with contextlib.suppress(KeyboardInterrupt):
        Multiprocess(config, sockets=[listener]).run()


def _stop_on_term(*_: object) -> None:
    raise KeyboardInterrupt  # SIGTERM (systemd, a supervisor) stops as Ctrl-C does: cleanly


WORKER_NICE = 10


@cli.command()
def work(
    nice: Annotated[int, typer.Option(
        min=0, max=19, help="How much lower than the API processes this process runs (Unix "
        "niceness): a checkout waits on them, a read model can gather more events a round"
    )] = WORKER_NICE,
) -> None:
    """Do the background work — every read model's follower, the jobs, the senders of mail
    and webhooks — beside API processes started with COMPTOIR_RUN_PROJECTIONS=false. Several
    may run: each piece is done by one at a time, and another takes over when it stops."""
    # Where the worker shares cores with API processes, requests come first; the followers
    # then read bigger batches, which costs less a checkout (docs/deployment.md).
    os.nice(nice)
    settings = Settings.load()
    check_startup(settings)
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    container = build_container(settings)
    signal.signal(signal.SIGTERM, _stop_on_term)
    console.print(f"[bold]Comptoir worker[/] on {settings.backend}: "
                  f"{', '.join(container.projections.names)}, jobs, mail and webhooks")
    container.start_work()
    heap.settle()
    try:
        while True:
            time.sleep(30)
            lag = container.projections.lag()
            console.print(" · ".join(f"{name}: {behind} behind" for name, behind in lag.items()))
    except KeyboardInterrupt:
        pass
    finally:
        container.close()


@token_cli.command("issue")
def issue_token(
    role: Annotated[Role, typer.Option(help="consumer, merchant, validator, auditor or admin")],
    merchant_id: Annotated[UUID | None, typer.Option(help="Required for the merchant role")] = None,
    subject: Annotated[UUID | None, typer.Option(help="Opaque subject id (default: new)")] = None,
    ttl_minutes: Annotated[int, typer.Option(min=1, max=60 * 24 * 30)] = 12 * 60,
) -> None:
    """Print a signed bearer token."""
    if role == Role.ANONYMOUS:
        raise typer.BadParameter("anonymous needs no token", param_hint="--role")
    if role == Role.MERCHANT and merchant_id is None:
        raise typer.BadParameter("a merchant token needs --merchant-id", param_hint="--merchant-id")
    settings = Settings.load()
    if not settings.token_keys:
        # The server made its development key in ITS data dir: a key made here would sign
        # tokens that it refuses (401) with no hint why.
        secrets_dir = (settings.data_dir / "secrets").resolve()
        if not (secrets_dir / "token-key").exists():
            typer.echo(f"No development token key in {secrets_dir}: `comptoir serve` makes it "
                       "in its data directory on first start. Run this where the server runs, "
                       "or set COMPTOIR_DATA_DIR to its data directory (or COMPTOIR_TOKEN_KEYS "
                       "to the server's keys).", err=True)
            raise typer.Exit(1)
        typer.echo(f"signed with the development key of {secrets_dir.parent}", err=True)
    tokens = Tokens.from_settings(settings)
    if timedelta(minutes=ttl_minutes) > tokens.max_lifetime:
        raise typer.BadParameter(
            f"tokens are accepted for {settings.token_max_lifetime_minutes} minutes at most "
            "(COMPTOIR_TOKEN_MAX_LIFETIME_MINUTES)", param_hint="--ttl-minutes")
    typer.echo(tokens.issue(role, subject=subject, merchant_id=merchant_id,
                            ttl=timedelta(minutes=ttl_minutes)))


@demo_cli.command("load")
def demo_load() -> None:
    """Load the demo catalogue (approved merchants in several regions, listings in stock)."""
    container = _container(run_projections=True)
    try:
        ids = load_demo(container.merchants, container.catalog)
        reader = Actor(Role.AUDITOR, str(uuid4()))
        table = Table("id", "merchant", "municipality", "region")
        for merchant_id in ids:
            view = container.merchants.get(reader, merchant_id)
            table.add_row(str(view.id), view.name, view.address.municipality, view.address.region)
        console.print(table)
    finally:
        container.close()


@demo_cli.command("story")
def demo_story() -> None:
    """The checkout story: three merchants, one cart, one payment, fulfilment, a refund."""
    container = _container()
    try:
        order = run_story(container.merchants, container.catalog, container.consumers,
                          container.carts, container.checkout, container.orders,
                          container.payouts, container.projections.settle)
        rows = [r for r in container.ledger.payouts_of() if r.order_id == order.id]
        differences = reconcile(rows, container.gateway)
    finally:
        container.close()
    table = Table("merchant", "status", "goods", "fee", "GST", "QST", "remits", "comm.",
                  "total", "share", "refund", title=f"Order {order.id} — {order.status} (CAD)")
    for p in order.parts:
        b = p.terms.breakdown
        table.add_row(p.terms.merchant_name, p.status, *(_dollars(m) for m in (
            b.subtotal, b.fee, b.gst, b.qst)), "platform" if b.platform_remits else "merchant",
            *(_dollars(m) for m in (b.commission, b.total, b.share, p.refunded)))
    console.print(table)
    platform = sum((p.terms.breakdown.platform_taxes for p in order.parts), Money.zero())
    shares = sum((p.terms.breakdown.share + p.terms.breakdown.commission for p in order.parts),
                 Money.zero())
    assert order.total is not None
    console.print(f"total {order.total} = shares + commissions {shares} + taxes the platform "
                  f"remits {platform}: {'balanced' if order.total == shares + platform else 'NO'}")
    payouts = Table("merchant", "share", "refunded share", "transferred", "reversed", "owed",
                    title="Payouts (ledger)")
    names = {p.terms.merchant_id: p.terms.merchant_name for p in order.parts}
    for r in rows:
        f = r.figures
        payouts.add_row(names[r.merchant_id], *(_dollars(Money(c)) for c in (
            f.share, f.refund_share, f.transfer, f.reversal, f.owed)))
    console.print(payouts)
    console.print("reconciliation with the gateway: " + (
        "no difference" if not differences else f"{len(differences)} difference(s)"))


@import_cli.command("merchants")
def import_merchants(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help=".csv or .jsonl")],
    approve: Annotated[bool, typer.Option(help="Approve each imported fiche (as a validator)")]
    = False,
    validator: Annotated[UUID | None, typer.Option(help="The approving validator's id")] = None,
    report: Annotated[Path | None, typer.Option(
        help="What became of every row (default: FILE.rapport.csv)")] = None,
) -> None:
    """Import merchant fiches from CSV (a header row) or JSON lines; a re-run imports nothing
    twice (external_id).

    \b
    Columns (JSON lines: the same names, or the API's nested body plus external_id):
      external_id*      your own id of the fiche: the same id is never imported twice
      name*, legal_name*, neq*  trade name, legal name, NEQ (10 digits)
      street*, municipality*, postal_code*, region*  a Québec address (region 01-17)
      lat, lon          coordinates (default: the municipality's, else the postal code's)
      categories*       category codes separated by ; (alimentation;fromagerie)
      contact_name*, contact_email*, contact_phone  the contact person
      small_supplier    oui/non; otherwise gst_number* and qst_number*
      pickup            oui/non (default oui); delivery_radius_km, delivery_fee_cents,
                        shipping_fee_cents
      description_fr, description_en, website
    (* required)

    \b
    The report (CSV: ligne, external_id, resultat, champ, code, message) accounts for every
    row: imported; already_imported (same external_id, same values); conflicting (same
    external_id, other values: the first import stands, the differing fields are named);
    rejected (every reason, per field). Sample: docs/samples/fiches.csv.
    """
    container = _container()
    approver = Actor(Role.VALIDATOR, str(validator or uuid4())) if approve else None
    importer = Importer(container.merchants, approver)
    try:
        total = sum(1 for _ in rows(file))
        with Progress(*Progress.get_default_columns(), console=console) as progress:
            task = progress.add_task(f"importing {file.name}", total=total)
            for number, data in rows(file):
                importer.add(number, data)
                progress.advance(task)
            importer.flush()
    finally:
        container.close()
    outcome = importer.report
    report_path = report or file.with_suffix(".rapport.csv")
    outcome.write(report_path)
    console.print(f"{outcome.summary} (report: {report_path})")


@listings_cli.command("import")
def import_listings(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False,
                                         help=".csv, .json (a list) or .jsonl")],
    merchant: Annotated[UUID, typer.Option(help="The merchant whose catalogue it is")],
    report: Annotated[Path | None, typer.Option(
        help="What became of every row (default: FILE.rapport.csv)")] = None,
) -> None:
    """Import a merchant's listings (and variants) from CSV (a header row) or JSON; a re-run
    imports nothing twice (sku). Columns, outcomes and report: docs/catalogue.md.

    \b
    Columns: sku*, title_fr*, description_fr*, category*, price_cents*, tax_class*,
      title_en, description_en, origin, on_hand, publish (oui/non),
      variant_label + listing_ref (rows sharing a listing_ref: the variants of one listing)
    """
    container = _container()
    importer = ListingImporter(container.listing_imports,
                               Actor(Role.MERCHANT, str(uuid4()), merchant), merchant)
    try:
        container.listing_imports.check_may_change(importer.actor, merchant)
        every = list(file_rows(file))
        with Progress(*Progress.get_default_columns(), console=console) as progress:
            task = progress.add_task(f"importing {file.name}", total=len(every))
            for number, data in every:
                importer.add(number, data)
                progress.advance(task)
            importer.flush()
    except DomainError as error:
        console.print(f"[red]{message(error.code, error.params, 'en')}[/red]")
        raise typer.Exit(1) from None
    finally:
        container.close()
    report_path = report or file.with_suffix(".rapport.csv")
    importer.report.write(report_path)
    console.print(f"{importer.report.summary} (report: {report_path})")


@project_cli.command("run")
def project_run(
    name: Annotated[str | None, typer.Argument(help="One read model (default: all)")] = None,
) -> None:
    """Follow the log into the read models until interrupted (a projection worker)."""
    container = _container()
    names = [_known(container.projections.names, name)] if name else container.projections.names
    console.print(f"following the log into {', '.join(names)} (Ctrl-C to stop)")
    container.projections.start(names)
    try:
        while True:
            time.sleep(5)
            lag = container.projections.lag()
            console.print(" · ".join(f"{n}: {lag[n]} behind" for n in names))
    except KeyboardInterrupt:
        pass
    finally:
        container.close()


@project_cli.command("rebuild")
def project_rebuild(name: Annotated[str, typer.Argument(help="The read model to rebuild")]) -> None:
    """Drop a read model and replay the whole log into it."""
    container = _container()
    try:
        follower = container.projections[_known(container.projections.names, name)]
        with Progress(*Progress.get_default_columns(), TextColumn("{task.fields[rate]}"),
                      console=console) as progress:
            task = progress.add_task(f"rebuilding {name}", total=follower.head(), rate="")
            started = time.monotonic()

            def advance(position: int, head: int) -> None:
                rate = position / max(time.monotonic() - started, 1e-6)
                progress.update(task, completed=position, total=head, rate=f"{rate:,.0f} pos/s")

            applied = follower.rebuild(advance)
        console.print(f"{name}: {applied:,} events applied, at position {follower.position():,}")
    finally:
        container.close()


@project_cli.command("status")
def project_status() -> None:
    """Each read model's position, lag behind the log and events it could not apply."""
    container = _container()
    try:
        table = Table("read model", "version", "position", "behind", "failed events")
        head = container.app.log_position()
        failures = container.projections.failures()
        for name in container.projections.names:
            follower = container.projections[name]
            position = follower.position()
            table.add_row(name, str(follower.store.version()), f"{position:,}",
                          f"{head - position:,}", f"{len(failures[name]):,}")
        console.print(table)
    finally:
        container.close()


@project_cli.command("failures")
def project_failures(
    name: Annotated[str | None, typer.Argument(help="One read model (default: all)")] = None,
    retry: Annotated[bool, typer.Option(
        help="Rebuild the read model: its events are replayed in order, the failed ones too "
             "(once their cause is fixed, they apply)")] = False,
) -> None:
    """Events a read model could not apply: it recorded them and went on (exit 1 if any).

    Events are right only in log order, so a failed event is retried by replaying the log
    into the read model from the start (--retry NAME), not by applying it late."""
    container = _container()
    try:
        names = [_known(container.projections.names, name)] if name else \
            container.projections.names
        if retry:
            if name is None:
                raise typer.BadParameter("name the read model to rebuild", param_hint="NAME")
            container.projections[names[0]].rebuild()
        failures = {n: container.projections[n].store.failures() for n in names}
    finally:
        container.close()
    table = Table("read model", "position", "topic", "aggregate", "error")
    for n, failed in failures.items():
        for f in failed:
            table.add_row(n, f"{f.position:,}", f.topic, f.originator_id, f.error)
    count = sum(map(len, failures.values()))
    console.print(table if count else "no failed events")
    if count:
        raise typer.Exit(1)


@payouts_cli.command("reconcile")
def payouts_reconcile() -> None:
    """Compare the payouts ledger with the gateway's records; list every difference.
    Exits with 1 when there is one."""
    container = _container()
    try:
        container.projections["payouts"].catch_up()
        rows = container.ledger.payouts_of()
        differences = reconcile(rows, container.gateway)
    finally:
        container.close()
    orders = len({r.order_id for r in rows})
    if not differences:
        console.print(f"{orders:,} order(s), {len(rows):,} merchant order(s): no difference")
        return
    table = Table("order", "merchant", "what", "ledger", "gateway",
                  title=f"{len(differences)} difference(s)")
    for d in differences:
        table.add_row(str(d.order_id), str(d.merchant_id or ""), d.what, str(d.ledger),
                      str(d.gateway))
    console.print(table)
    raise typer.Exit(1)


@privacy_cli.command("rotate-kek")
def rotate_kek() -> None:
    """Replace the key-encryption key: every live person's key is wrapped again by a new
    one, and the old one is destroyed. A copy of an erased person's key that survives in the
    database's WAL, archives or backups is useless from then on (run it after an erasure
    that cannot wait for the scheduled rotation)."""
    container = _container()
    try:
        report = container.privacy.rotate_kek()
    finally:
        container.close()
    console.print(f"key-encryption key {report.kek_id} in use; {report.rewrapped:,} key(s) "
                  f"wrapped again; destroyed: {', '.join(report.destroyed) or 'none'}")


@accounts_cli.command("create-admin")
def create_admin(
    email: Annotated[str, typer.Option(help="The admin's e-mail address")],
    password: Annotated[str, typer.Option(
        prompt=True, hide_input=True, confirmation_prompt=True,
        envvar="COMPTOIR_ADMIN_PASSWORD", help="Asked for when not given (never echoed)")],
) -> None:
    """The first admin (run on the server): a verified account with the admin role, or an
    existing account of that address made admin."""
    container = _container()
    try:
        account_id = container.accounts.create_admin(email, password)
    finally:
        container.close()
    console.print(f"admin account {account_id}")


def _staff(email: str, role: StaffRole, grant: bool) -> None:
    container = _container()
    try:
        cli_actor = Actor(Role.ADMIN, "cli")
        change = container.accounts.grant if grant else container.accounts.revoke
        account_id = change(cli_actor, email, role)
    finally:
        container.close()
    console.print(f"account {account_id}: {role.value} {'granted' if grant else 'revoked'}")


@accounts_cli.command("grant")
def grant_role(email: Annotated[str, typer.Argument(help="The account's address")],
               role: Annotated[StaffRole, typer.Argument(help="The role")]) -> None:
    """Grant a staff role (an event the auditors see)."""
    _staff(email, role, grant=True)


@accounts_cli.command("revoke")
def revoke_role(email: Annotated[str, typer.Argument(help="The account's address")],
                role: Annotated[StaffRole, typer.Argument(help="The role")]) -> None:
    """Revoke a staff role; the account's sessions and tokens end."""
    _staff(email, role, grant=False)


@retention_cli.command("run")
def retention_run(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List, erase nothing")] = False,
) -> None:
    """Erase the personal data whose retention period is over; prints a report (ids only)."""
    settings = Settings.load(run_projections=False)
    container = build_container(settings)
    try:
        done = container.privacy.apply_retention(dry_run=dry_run)
    finally:
        container.close()
    table = Table("subject", "kind", "since", "erased" if not dry_run else "would be erased",
                  title=f"Retention: consumers {settings.retention_consumer_months} months "
                        f"inactive, merchant contacts {settings.retention_merchant_contact_months}"
                        " months after leaving")
    for c in done:
        table.add_row(str(c.subject_id), str(c.kind), c.since.date().isoformat(),
                      "yes" if (c.erased or dry_run) else "already")
    console.print(table)
    console.print(f"{len(done)} subject(s) {'to erase' if dry_run else 'erased'}")


@audit_cli.command("verify")
def audit_verify(
    public_key: Annotated[Path | None, typer.Option(
        exists=True, dir_okay=False, help="The platform's public key (PEM) the auditor kept; "
        "default: the platform's own")] = None,
) -> None:
    """Recompute the hash chain from the stored events and check the signed checkpoints.
    Exits with 1 at the first position where the log was altered, removed or reordered."""
    container = _container()
    try:
        report = container.verify_chain(public_key.read_text() if public_key else None)
        head_position, head_hash = container.chain.head()
    finally:
        container.close()
    console.print_json(json.dumps(report.__dict__, default=str))
    # Keep it: next time, the chain must still pass through this point.
    console.print(f"chain head: position {head_position}, hash {head_hash.hex()}")
    if not report.ok:
        raise typer.Exit(1)


@audit_cli.command("public-key")
def audit_public_key() -> None:
    """The public key that verifies the chain's checkpoints: keep it apart from the platform."""
    container = _container()
    try:
        typer.echo(container.signer.public_key_pem(), nl=False)
    finally:
        container.close()


@audit_cli.command("show")
def audit_show(
    aggregate_id: Annotated[UUID, typer.Argument(help="An order, a merchant, a listing…")],
    position: Annotated[int | None, typer.Option(help="As it was after this position")] = None,
    at: Annotated[datetime | None, typer.Option(help="As it was at this time (UTC)")] = None,
) -> None:
    """An aggregate as it was at a past position or time (personal data sealed)."""
    container = _container()
    try:
        when = at.replace(tzinfo=UTC) if at and at.tzinfo is None else at
        shown = container.audit.aggregate_at(Actor(Role.AUDITOR, "cli"), aggregate_id,
                                             position, when)
    except NotFoundError:
        console.print("no such aggregate at that position or time")
        raise typer.Exit(1) from None
    finally:
        container.close()
    console.print_json(json.dumps(shown, default=str))


@audit_cli.command("replay")
def audit_replay() -> None:
    """Rebuild every read model from zero into a scratch area and compare with the live one.
    Exits with 1 if any differs."""
    container = _container()
    try:
        found = replay(container)
    finally:
        container.close()
    for name, lines in found.items():
        console.print(f"{name}: " + ("identical" if not lines else f"{len(lines)} difference(s)"))
        for line in lines:
            console.print(f"  {line}")
    if any(found.values()):
        raise typer.Exit(1)


def _dollars(money: Money) -> str:
    return str(money).removesuffix(" CAD")


def _known(names: list[str], name: str) -> str:
    if name not in names:
        raise typer.BadParameter(f"unknown read model {name!r}; known: {', '.join(names)}")
    return name


def _container(run_projections: bool = False) -> Container:
    """For a command: this process only works the log it is asked to (the server's
    followers keep the read models)."""
    return build_container(Settings.load(run_projections=run_projections))


def main() -> None:
    try:
        cli()
    except (*STARTUP_ERRORS, RebuildRefusedError) as error:
        console.print(f"[red]comptoir: {error}[/]", highlight=False)
        raise SystemExit(1) from None
    except DomainError as error:  # a refused command: the message the API would give
        console.print(f"[red]comptoir: {message(error.code, error.params, 'fr')}[/]",
                      highlight=False)
        raise SystemExit(1) from None
