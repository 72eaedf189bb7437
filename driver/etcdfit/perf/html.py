"""Placeholder replaced below."""
from __future__ import annotations

from pathlib import Path
from typing import Any


def render(doc: dict[str, Any], out: Path) -> Path:
    page = out / "index.html"
    page.write_text("<html></html>")
    return page
