"""Workflows: the state machines (``definitions``) and the engine that applies them."""

from .definitions import WORKFLOWS, Step, Workflow  # noqa: F401
from .engine import TransitionError, apply, apply_as_system, available, form_columns, timeline, workflow_of  # noqa: F401
