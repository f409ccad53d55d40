"""State-store URLs: which ones name PostgreSQL, and how to print one without its password."""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import urlsplit, urlunsplit

__all__ = ["POSTGRES_SCHEMES", "is_postgres_url", "mask_url"]

POSTGRES_SCHEMES: Final = ("postgresql", "postgres")
"""URL schemes of a PostgreSQL state store (``--state postgresql://…``)."""

_MASK: Final = "***"
_QUERY_PASSWORD: Final = re.compile(r"(?i)(password=)[^&]*")


def is_postgres_url(text: str) -> bool:
    """Whether ``text`` is a ``postgresql://`` (or ``postgres://``) URL."""
    scheme, sep, _ = text.partition("://")
    return bool(sep) and scheme.lower() in POSTGRES_SCHEMES


def mask_url(url: str) -> str:
    """``url`` with any password replaced by ``***`` (in the user part and in the query).

    >>> mask_url("postgresql://app:s3cret@db:5432/flows?sslmode=require")
    'postgresql://app:***@db:5432/flows?sslmode=require'
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return _MASK  # not even a URL: print nothing of it
    netloc = parts.netloc
    user_info, at, host = netloc.rpartition("@")
    if at and ":" in user_info:
        user = user_info.split(":", 1)[0]
        netloc = f"{user}:{_MASK}@{host}"
    query = _QUERY_PASSWORD.sub(r"\g<1>" + _MASK, parts.query)
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
