"""Door-to-door canvassing: address lists, visits, volunteers."""

from __future__ import annotations
