"""Settings handed to a child process as GUIDEQA_* environment variables."""

from __future__ import annotations

import json
import os


def settings_env(settings) -> dict[str, str | None]:
    """Every setting as its GUIDEQA_* variable, so a subprocess runs with exactly these settings.

    None means "unset the variable" (the subprocess then uses that field's default).
    """
    from pydantic import SecretStr

    from rag.settings import environment_fields

    out: dict[str, str | None] = {}
    for key, value, _ in environment_fields(settings):
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if value is None:
            out[key] = None
        elif isinstance(value, (list, dict)):
            out[key] = json.dumps(value, default=str)  # pydantic-settings parses complex fields as JSON
        elif isinstance(value, bool):
            out[key] = "true" if value else "false"
        else:
            out[key] = str(value)
    return out


def subprocess_env(settings) -> dict[str, str]:
    """This process's environment with every GUIDEQA_* variable set (or unset) to match `settings`."""
    env = dict(os.environ)
    for key, value in settings_env(settings).items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env
