"""Entry point: ``gunicorn run:app`` and ``flask --app run:app <command>``."""

from app import create_app

app = create_app()
