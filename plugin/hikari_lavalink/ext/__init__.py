"""Integrations with bot frameworks."""

from __future__ import annotations
