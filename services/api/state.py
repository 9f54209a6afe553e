"""What every request handler shares: connections, the catalogue, settings."""

from __future__ import annotations

from dataclasses import dataclass

from libs.bus.connection import Bus
from libs.bus.jobstore import JobStore
from libs.settings import Settings
from libs.storage import ObjectStore
from libs.templates.catalogue import Catalogue


@dataclass
class Services:
    settings: Settings
    bus: Bus
    jobs: JobStore
    objects: ObjectStore
    catalogue: Catalogue
