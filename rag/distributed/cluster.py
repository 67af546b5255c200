"""Joining a Ray cluster, or starting a local one for the length of a command."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator

from rag.settings import Settings

log = logging.getLogger(__name__)


class ClusterError(RuntimeError):
    """Ray is missing, or the cluster cannot be reached."""


@contextlib.contextmanager
def connected(settings: Settings) -> Iterator[None]:
    """Ray for the block: the running connection if there is one, else the configured cluster (cluster.address), else
    a local Ray with this machine's CPUs, shut down after the block."""
    try:
        import ray
    except ImportError as exc:  # the `cluster` extra
        raise ClusterError("Ray is not installed: pip install 'guideqa[cluster]'") from exc
    if ray.is_initialized():
        yield
        return
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # no telemetry calls from an offline machine
    address = settings.cluster.address
    try:
        if address:
            ray.init(address=address, logging_level=logging.WARNING, log_to_driver=False)
        else:
            ray.init(num_cpus=os.cpu_count(), include_dashboard=False, logging_level=logging.WARNING, log_to_driver=False)
    except Exception as exc:
        raise ClusterError(f"cannot start or reach Ray{f' at {address}' if address else ''}: {exc}") from exc
    try:
        yield
    finally:
        ray.shutdown()
