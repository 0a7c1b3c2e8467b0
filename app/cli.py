"""Flask commands: ``flask roles sync [--check]``, ``flask seed demo``, ``flask jobs daily``,
``flask jobs mail``."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from .clock import today
from .jobs import run_daily
from .locks import Conflict, JobLocked
from .mail import deliver
from .security.sync import drift, sync
from .seed import seed_demo

roles_cli = AppGroup("roles", help="Roles and permissions from the access matrix.")
seed_cli = AppGroup("seed", help="Demo data.")
jobs_cli = AppGroup("jobs", help="Scheduled jobs (cron).")


@roles_cli.command("sync")
@click.option("--check", is_flag=True, help="Only report drift; exit 1 if any.")
def roles_sync(check: bool) -> None:
    """Write the access matrix into the database roles (or, with --check, report drift)."""
    appbuilder = current_app.appbuilder
    if not check:
        for role in sync(appbuilder):
            click.echo(f"synced role {role}")
    drifts = drift(appbuilder.sm)
    for d in drifts:
        for line in d.lines():
            click.echo(line)
    if not drifts:
        click.echo("no drift: database roles match the access matrix")
    elif check:
        sys.exit(1)


@seed_cli.command("demo")
def seed_demo_cmd() -> None:
    """Fill a realistic demo factory (safe to run again)."""
    summary = seed_demo(current_app.config["DEMO_PASSWORD"])
    for key, value in summary.items():
        click.echo(f"{key}: {value}")


@jobs_cli.command("daily")
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The day to run for (default: today in DISPLAY_TIMEZONE).")
def jobs_daily(day) -> None:
    """Settlement notices, newly overdue receivables, expired quotations, customer risk (3.3).

    A run started while another is running waits for it, then finds the day done; after
    JOB_LOCK_TIMEOUT seconds, or when a simultaneous change refused its commit, it writes nothing
    and exits with status 1 (cron reports it; run it again)."""
    try:
        counts = run_daily(day.date() if day else today())
    except JobLocked:
        click.echo("another daily job is still running; nothing was done", err=True)
        sys.exit(1)
    except Conflict as exc:
        click.echo(f"nothing was done, run the job again: {exc.kind} conflict", err=True)
        sys.exit(1)
    for key, value in counts.items():
        click.echo(f"{key}: {value}")


@jobs_cli.command("mail")
def jobs_mail() -> None:
    """Send the notifications' e-mails still waiting and retry the failed ones whose next try has
    come (cron, every few minutes; safe to run alongside the web workers: each e-mail is claimed
    by one sender)."""
    for key, value in deliver().items():
        click.echo(f"{key}: {value}")


def register_cli(app) -> None:
    app.cli.add_command(roles_cli)
    app.cli.add_command(seed_cli)
    app.cli.add_command(jobs_cli)
