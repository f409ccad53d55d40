"""Build an executor from an ``--executor`` value (the CLI and the API share this)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flowscript.execution.executors._address import LOCAL, check_address, parse_address
from flowscript.execution.executors._placement import DISPATCH_MODES, DispatchMode

if TYPE_CHECKING:
    from flowscript.execution.node_executor import NodeExecutor

__all__ = ["executor_from_url", "tls_security"]


def tls_security(
    ca: str | Path | None, cert: str | Path | None, key: str | Path | None = None
) -> Any:
    """A ``distributed.security.Security`` for mutual TLS from certificate files.

    Raises:
        ValueError: the CA or the client certificate is missing, or a file does not exist.
    """
    if ca is None or cert is None:
        raise ValueError(
            "tls:// needs --tls-ca and --tls-cert (and --tls-key unless the "
            "certificate file holds the key)"
        )
    for label, path in (("--tls-ca", ca), ("--tls-cert", cert), ("--tls-key", key)):
        if path is not None and not Path(path).is_file():
            raise ValueError(f"{label}: no such file: {path}")
    import distributed.security

    security_type: Any = distributed.security.Security
    return security_type(
        tls_ca_file=str(ca),
        tls_client_cert=str(cert),
        tls_client_key=str(key) if key is not None else None,
        require_encryption=True,
    )


def executor_from_url(
    url: str,
    *,
    insecure: bool = False,
    security: Any = None,
    tls_ca: str | Path | None = None,
    tls_cert: str | Path | None = None,
    tls_key: str | Path | None = None,
    dispatch: str = "default",
    local_cluster: Mapping[str, Any] | None = None,
) -> NodeExecutor:
    """The executor for ``url``: ``local``, ``dask-local``, ``dask://…``, ``tcp://…``, ``tls://…``.

    Args:
        url: where node work runs (cli.md, ``--executor``).
        insecure: allow plain TCP to a non-loopback scheduler (Dask speaks pickle).
        security: a ``distributed.security.Security`` for ``tls://`` (else built from the
            ``tls_*`` files).
        tls_ca / tls_cert / tls_key: certificate files for ``tls://``.
        dispatch: ``default``, ``local`` or ``cluster`` (docs/scale-out.md).
        local_cluster: extra ``LocalCluster`` arguments for ``dask-local``.

    Raises:
        ValueError: an unknown or refused address, TLS files for a non-TLS address, or a
            ``tls://`` address without certificates.
    """
    address = parse_address(url)
    check_address(address, insecure=insecure)
    if dispatch not in DISPATCH_MODES:
        raise ValueError(f"dispatch must be one of {', '.join(DISPATCH_MODES)}, not {dispatch!r}")
    has_files = any(item is not None for item in (tls_ca, tls_cert, tls_key))
    if has_files and address.kind != "tls":
        raise ValueError("--tls-ca/--tls-cert/--tls-key need a tls://HOST:PORT executor")
    if address.kind == LOCAL:
        from flowscript.execution.node_executor import LocalExecutor

        return LocalExecutor()
    if address.kind == "tls" and security is None:
        security = tls_security(tls_ca, tls_cert, tls_key)
    from flowscript.execution.executors.dask import DaskExecutor

    mode: DispatchMode = dispatch  # type: ignore[assignment,unused-ignore]  # checked above
    return DaskExecutor(
        url,
        insecure=insecure,
        security=security,
        dispatch=mode,
        local_cluster=local_cluster,
    )
