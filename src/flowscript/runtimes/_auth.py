"""HTTP authentication settings (runtimes.md §2): the ``auth`` field, parsed once per request.

``auth`` is a map with a ``type``:

- ``{type: bearer, token}`` → ``Authorization: Bearer <token>``;
- ``{type: basic, username, password}`` → ``Authorization: Basic …``;
- ``{type: api-key, header?, value}`` → the key in a header (default ``X-API-Key``), or
  ``{type: api-key, query: <param>, value}`` → the key as a query parameter (APIs such as
  OpenWeather's ``appid`` only accept it there; the value is masked in error messages);
- ``{type: oauth2, token_url, client_id, client_secret, scope?, client_auth?}`` → the OAuth2
  client-credentials grant (see :mod:`flowscript.runtimes._oauth2`).

Keys match across spellings (``token_url``, ``token-url`` and ``tokenUrl`` are the same key).
The static kinds become headers and query parameters (:class:`StaticAuth`); OAuth2 becomes
:class:`OAuth2Credentials`, whose token is fetched at send time.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from flowscript.errors import NodeError
from flowscript.expressions.values import to_json, to_string

__all__ = ["AuthSpec", "OAuth2Credentials", "StaticAuth", "basic_credentials", "parse_auth"]

DEFAULT_API_KEY_HEADER: Final = "X-API-Key"
_CAMEL_HUMP: Final = re.compile(r"(?<=[a-z0-9])([A-Z])")
_CLIENT_AUTH_MODES: Final = ("basic", "body")
_USAGE: Final = (
    "{type: bearer, token}, {type: basic, username, password}, "
    "{type: api-key, header, value}, {type: api-key, query, value} or "
    "{type: oauth2, token_url, client_id, client_secret, scope}"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class StaticAuth:
    """Credentials sent as they are with every request.

    Attributes:
        headers: headers to add (``Authorization``, an API-key header …).
        params: query parameters to add (an API key sent in the query string); their values
            are masked wherever the request URL is shown.
    """

    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    params: tuple[tuple[str, str], ...] = field(default=(), repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class OAuth2Credentials:
    """An OAuth2 client (client-credentials grant, RFC 6749 §4.4).

    Attributes:
        token_url: the token endpoint.
        client_id: the client identifier.
        client_secret: the client secret (never shown in a repr, message or state).
        scope: space-separated scopes to ask for, or ``None``.
        client_auth: ``basic`` (HTTP basic authentication, RFC 6749 §2.3.1, the default) or
            ``body`` (``client_id`` and ``client_secret`` in the form, for providers that
            refuse basic authentication).
    """

    token_url: str
    client_id: str
    client_secret: str = field(repr=False)
    scope: str | None = None
    client_auth: str = "basic"

    @property
    def cache_key(self) -> tuple[str, str, str]:
        """Tokens are shared by every request with the same endpoint, client and scope."""
        return (self.token_url, self.client_id, self.scope or "")


AuthSpec = StaticAuth | OAuth2Credentials
"""What :func:`parse_auth` returns."""


def _invalid(message: str) -> NodeError:
    return NodeError("config.invalid", f"field 'auth': {message}", retryable=False)


def _text(value: Any) -> str:
    if isinstance(value, list | dict):
        return to_json(value)
    return to_string(value)


def _canonical(key: Any) -> str:
    return _CAMEL_HUMP.sub(r"-\1", str(key).strip()).lower().replace("_", "-")


def _present(fields: Mapping[str, Any], name: str) -> bool:
    value = fields.get(name)
    return value is not None and _text(value) != ""


def basic_credentials(username: str, password: str) -> str:
    """The value of an ``Authorization: Basic`` header."""
    raw = f"{username}:{password}".encode()
    return "Basic " + base64.b64encode(raw).decode("ascii")


def _bearer(fields: Mapping[str, Any]) -> StaticAuth | None:
    if not _present(fields, "token"):
        return None
    return StaticAuth(headers={"Authorization": f"Bearer {_text(fields['token'])}"})


def _basic(fields: Mapping[str, Any]) -> StaticAuth | None:
    if fields.get("username") is None:
        return None
    header = basic_credentials(_text(fields["username"]), _text(fields.get("password", "")))
    return StaticAuth(headers={"Authorization": header})


def _api_key(fields: Mapping[str, Any]) -> StaticAuth | None:
    if fields.get("value") is None:
        return None
    value = _text(fields["value"])
    if _present(fields, "query"):
        if _present(fields, "header"):
            raise _invalid("an api-key goes either in a 'header' or in a 'query' parameter")
        return StaticAuth(params=((_text(fields["query"]), value),))
    name = _text(fields["header"]) if _present(fields, "header") else DEFAULT_API_KEY_HEADER
    return StaticAuth(headers={name: value})


def _oauth2(fields: Mapping[str, Any]) -> OAuth2Credentials | None:
    required = ("token-url", "client-id", "client-secret")
    if missing := [name.replace("-", "_") for name in required if not _present(fields, name)]:
        raise _invalid(f"type oauth2 needs {', '.join(missing)}")
    client_auth = _text(fields.get("client-auth") or "basic").strip().lower()
    if client_auth not in _CLIENT_AUTH_MODES:
        raise _invalid(f"client_auth {client_auth!r} is not one of {', '.join(_CLIENT_AUTH_MODES)}")
    return OAuth2Credentials(
        token_url=_text(fields["token-url"]).strip(),
        client_id=_text(fields["client-id"]),
        client_secret=_text(fields["client-secret"]),
        scope=_scope(fields.get("scope")),
        client_auth=client_auth,
    )


def _scope(value: Any) -> str | None:
    """Scopes as one space-separated string (a list is joined)."""
    if value is None:
        return None
    parts = value if isinstance(value, list) else [value]
    text = " ".join(_text(part).strip() for part in parts if part is not None)
    return " ".join(text.split()) or None


_PARSERS: Final[Mapping[str, Callable[[Mapping[str, Any]], AuthSpec | None]]] = {
    "bearer": _bearer,
    "basic": _basic,
    "api-key": _api_key,
    "apikey": _api_key,
    "oauth2": _oauth2,
}


def parse_auth(value: Any) -> AuthSpec | None:
    """Parse the ``auth`` field.

    Args:
        value: the coerced ``auth`` config value (a map), or ``None``.

    Returns:
        ``None`` without auth; otherwise the static headers/params or the OAuth2 client.

    Raises:
        NodeError: ``config.invalid`` for a value that is not a map, an unknown type, or a
            type whose required keys are missing.
    """
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise _invalid("expected a map such as {type: bearer, token: …}")
    fields = {_canonical(key): item for key, item in value.items()}
    kind = _canonical(fields.get("type", ""))
    parser = _PARSERS.get(kind)
    parsed = parser(fields) if parser is not None else None
    if parsed is None:
        raise _invalid(f"type {kind or '(missing)'!r} needs its fields: {_USAGE}")
    return parsed
