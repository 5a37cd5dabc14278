"""smmnews: crawl and normalise SMM (news.metal.com) English metals news."""

from __future__ import annotations

__version__ = "0.1.0"
