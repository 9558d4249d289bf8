"""What the other domains read (and write) of compound records: they never use the compounds store itself."""

from __future__ import annotations

from compounds.store.compound_records import compounds_of, get_compound

__all__ = [
    "compounds_of",
    "get_compound",
]
