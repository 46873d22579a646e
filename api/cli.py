"""The `comptoir` command line."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from uuid import UUID, uuid4

import typer
import uvicorn
from rich.console import Console
from rich.table import Table

from api.auth import Tokens
from api.container import build_container
from api.main import create_app
from application.actors import Actor, Role
from application.demo import load_demo
from application.settings import Settings

cli = typer.Typer(help="Comptoir: event-sourced local-buying marketplace for Québec.",
                  no_args_is_help=True)
token_cli = typer.Typer(help="Bearer tokens for development and tests.", no_args_is_help=True)
demo_cli = typer.Typer(help="The demo catalogue.", no_args_is_help=True)
cli.add_typer(token_cli, name="token")
cli.add_typer(demo_cli, name="demo")
console = Console()


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="TCP port")] = None,
    demo: Annotated[bool, typer.Option(help="Load the demo catalogue if the log is empty")] = False,
) -> None:
    """Serve the HTTP API (OpenAPI at /docs)."""
    overrides = {"demo_data": True} if demo else {}
    settings = Settings(**overrides)
    console.print(f"[bold]Comptoir[/] on {settings.backend}; docs at "
                  f"http://{host or settings.host}:{port or settings.port}/docs")
    uvicorn.run(create_app(settings), host=host or settings.host, port=port or settings.port,
                log_level="info")


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
    tokens = Tokens.from_settings(Settings())
    typer.echo(tokens.issue(role, subject=subject, merchant_id=merchant_id,
                            ttl=timedelta(minutes=ttl_minutes)))


@demo_cli.command("load")
def demo_load() -> None:
    """Load the demo catalogue (approved merchants in several regions, listings in stock)."""
    container = build_container(Settings())
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


def main() -> None:
    cli()
