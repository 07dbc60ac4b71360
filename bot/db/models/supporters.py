"""The coalition's pooled supporter base: people, source records, consents."""

from __future__ import annotations
