"""What the other domains read of proxy links (who may act for a resident): they never use the orders store."""

from __future__ import annotations

from orders.store.proxy_links import acting_for, get, is_proxy, of_resident

__all__ = ["acting_for", "get", "is_proxy", "of_resident"]
