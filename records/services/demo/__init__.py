"""Synthetic, clearly fictional demo data (`sijil demo`), loaded through the same write path
as any record."""

from records.services.demo.loader import (
    DEMO_USERS,
    demo_incidents,
    load_demo,
)

__all__ = [
    "DEMO_USERS",
    "demo_incidents",
    "load_demo",
]
