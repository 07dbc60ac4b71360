"""Protection of people at risk: key hierarchy, PINs, the audit chain."""

from __future__ import annotations
