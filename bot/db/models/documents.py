"""The nomination documents: questionnaire answers (encrypted) and generated package versions."""

from __future__ import annotations
