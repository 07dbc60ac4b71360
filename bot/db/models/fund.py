"""The electoral fund: bank details, donations and spending."""

from __future__ import annotations
