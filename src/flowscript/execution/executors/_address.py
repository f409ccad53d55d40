"""``--executor`` values: where a run's node work goes, and which addresses are allowed.

Dask's wire format is pickle: whoever can talk to a scheduler or a worker can make it run
code, and whoever can read the traffic sees every task. So a plain ``tcp://`` (or
``dask://``) address is accepted only on the loopback interface; anything else needs TLS
(``tls://`` with certificates) or an explicit ``insecure=True`` (``--insecure``) for a
network the user trusts. Host names other than ``localhost`` are not resolved: they count as
non-loopback.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Final, Literal
from urllib.parse import urlsplit

__all__ = [
    "DASK_LOCAL",
    "DEFAULT_PORT",
    "LOCAL",
    "ClusterAddress",
    "check_address",
    "is_loopback",
    "parse_address",
]

LOCAL: Final = "local"
DASK_LOCAL: Final = "dask-local"
DEFAULT_PORT: Final = 8786
"""Dask's default scheduler port (``dask scheduler`` listens there)."""

AddressKind = Literal["local", "dask-local", "tcp", "tls"]

_SCHEMES: Final[dict[str, AddressKind]] = {"dask": "tcp", "tcp": "tcp", "tls": "tls"}


@dataclass(frozen=True, slots=True)
class ClusterAddress:
    """A parsed ``--executor`` value.

    Attributes:
        kind: ``local`` (in-process), ``dask-local`` (a cluster started by the run),
            ``tcp`` or ``tls`` (an existing Dask scheduler).
        url: the address Dask connects to (``tcp://host:port``/``tls://host:port``); empty
            for ``local`` and ``dask-local``.
        host: the scheduler's host (empty for the local kinds).
    """

    kind: AddressKind
    url: str = ""
    host: str = ""

    @property
    def loopback(self) -> bool:
        """True when nothing leaves this machine (the local kinds, or a loopback host)."""
        return self.kind in (LOCAL, DASK_LOCAL) or is_loopback(self.host)


def is_loopback(host: str) -> bool:
    """``localhost`` or a literal loopback IP address (``127.0.0.0/8``, ``::1``)."""
    name = host.strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def parse_address(text: str) -> ClusterAddress:
    """Parse ``local``, ``dask-local``, ``dask://HOST:PORT``, ``tcp://…`` or ``tls://…``.

    ``dask://`` is an alias of ``tcp://``; a missing port is :data:`DEFAULT_PORT`.

    Raises:
        ValueError: an unknown scheme, or an address without a host or with a bad port.
    """
    value = text.strip()
    if value.lower() in (LOCAL, DASK_LOCAL):
        return ClusterAddress(kind=value.lower())  # type: ignore[arg-type]  # checked above
    parts = urlsplit(value)
    kind = _SCHEMES.get(parts.scheme.lower())
    if kind is None or "://" not in value:
        raise ValueError(
            f"unknown executor {text!r}: use local, dask-local, dask://HOST:PORT, "
            "tcp://HOST:PORT or tls://HOST:PORT"
        )
    try:
        port = parts.port or DEFAULT_PORT
    except ValueError as exc:
        raise ValueError(f"executor address {text!r}: {exc}") from exc
    host = parts.hostname or ""
    if not host or parts.path not in ("", "/") or parts.query:
        raise ValueError(f"executor address {text!r}: expected {parts.scheme}://HOST:PORT")
    shown = f"[{host}]" if ":" in host else host
    return ClusterAddress(kind=kind, url=f"{kind}://{shown}:{port}", host=host)


def check_address(address: ClusterAddress, *, insecure: bool = False) -> None:
    """Refuse a plain-TCP scheduler off the loopback interface unless ``insecure``.

    Raises:
        ValueError: the address is plain ``tcp://`` to another machine and ``insecure`` is
            not set (the message says why and what to do).
    """
    if address.kind != "tcp" or address.loopback or insecure:
        return
    raise ValueError(
        f"refusing to send node work to {address.url} over plain TCP: Dask's wire format is "
        "pickle, so anyone who can reach or read that connection can run code on the "
        "coordinator and the workers. Use tls://HOST:PORT with --tls-ca/--tls-cert/--tls-key, "
        "or pass --insecure on a network you trust."
    )
