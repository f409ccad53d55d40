"""``--executor``, ``--insecure``, ``--tls-*`` and ``--dispatch`` on ``run`` and ``resume``.

The options do not become command parameters: their values are kept in the click context
(``ctx.meta``) and :func:`executor_option_value` builds the executor when the run's options
are assembled, so the commands' signatures stay as they are. A refused or malformed address is
a usage error (exit 2) before anything runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import click

if TYPE_CHECKING:
    from flowscript.execution.node_executor import NodeExecutor

__all__ = ["EXECUTOR_OPTIONS", "executor_option_value"]

_META_KEY: Final = "flowscript.executor"


def _remember(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    ctx.meta.setdefault(_META_KEY, {})[param.name] = value
    return value


def _option(*names: str, **settings: Any) -> Any:
    return click.option(*names, expose_value=False, callback=_remember, **settings)


EXECUTOR_OPTIONS: Final = (
    _option(
        "--executor",
        metavar="local|dask-local|dask://HOST:PORT|tls://HOST:PORT",
        default="local",
        show_default=True,
        help="Where node work runs (docs/scale-out.md).",
    ),
    _option("--insecure", is_flag=True, help="Allow plain tcp:// to a non-loopback scheduler."),
    _option("--tls-ca", type=click.Path(dir_okay=False), help="CA certificate for tls://."),
    _option("--tls-cert", type=click.Path(dir_okay=False), help="Client certificate for tls://."),
    _option("--tls-key", type=click.Path(dir_okay=False), help="Client key for tls://."),
    _option(
        "--dispatch",
        type=click.Choice(["default", "local", "cluster"]),
        default="default",
        show_default=True,
        help="Which nodes go to the cluster (a node's dispatch= attribute wins).",
    ),
)
"""The click options; ``run_cmd.execution_flags`` adds them to ``run`` and ``resume``."""


def executor_option_value() -> NodeExecutor | None:
    """The executor the current command's flags ask for (``None``: the default, in-process).

    Raises:
        click.BadParameter: an unknown or refused address, or TLS flags that do not fit.
    """
    ctx = click.get_current_context(silent=True)
    flags: dict[str, Any] = ctx.meta.get(_META_KEY, {}) if ctx is not None else {}
    if not flags:
        return None  # a command without these flags
    from flowscript.execution.executors import executor_from_url

    try:
        return executor_from_url(
            flags.get("executor") or "local",
            insecure=bool(flags.get("insecure")),
            tls_ca=flags.get("tls_ca"),
            tls_cert=flags.get("tls_cert"),
            tls_key=flags.get("tls_key"),
            dispatch=flags.get("dispatch") or "default",
        )
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--executor") from exc
