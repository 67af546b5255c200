"""`guideqa settings`: every setting with its environment variable."""

from __future__ import annotations

import json

from rich.markup import escape
from rich.table import Table

from rag.cli.common import console, load_settings


def show_settings() -> None:
    """Every setting, its environment variable, current value and description."""
    from rag.settings import environment_fields

    table = Table("environment variable", "value", "description")
    for env, value, description in environment_fields(load_settings()):
        table.add_row(env, escape(json.dumps(value, default=str)), escape(description))
    console.print(table)
