"""``--executor`` addresses: parsing, the plain-TCP refusal, and building executors."""

from __future__ import annotations

import pytest

from flowscript.execution.executors import executor_from_url, parse_address
from flowscript.execution.executors._address import check_address, is_loopback
from flowscript.execution.node_executor import LocalExecutor


@pytest.mark.parametrize(
    ("text", "kind", "url"),
    [
        ("local", "local", ""),
        ("dask-local", "dask-local", ""),
        ("DASK-LOCAL", "dask-local", ""),
        ("dask://127.0.0.1:9000", "tcp", "tcp://127.0.0.1:9000"),
        ("dask://scheduler", "tcp", "tcp://scheduler:8786"),
        ("tcp://10.0.0.5:8786", "tcp", "tcp://10.0.0.5:8786"),
        ("tls://sched.example.org:8786", "tls", "tls://sched.example.org:8786"),
        ("tcp://[::1]:8786", "tcp", "tcp://[::1]:8786"),
    ],
    ids=["local", "dask-local", "upper-case", "dask-alias", "default-port", "tcp", "tls", "ipv6"],
)
def test_parse_address(text: str, kind: str, url: str) -> None:
    address = parse_address(text)
    assert (address.kind, address.url) == (kind, url)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("http://x:1", "unknown executor"),
        ("dask", "unknown executor"),
        ("tcp://:8786", "expected tcp://HOST:PORT"),
        ("tcp://host:99999", "Port out of range"),
        ("tcp://host:1/path", "expected tcp://HOST:PORT"),
    ],
    ids=["http", "bare-word", "no-host", "bad-port", "path"],
)
def test_parse_address_rejects(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_address(text)


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost", True),
        ("127.0.0.1", True),
        ("127.5.6.7", True),
        ("::1", True),
        ("10.0.0.5", False),
        ("192.0.2.2", False),
        ("scheduler.internal", False),
    ],
    ids=["localhost", "127.0.0.1", "127/8", "ipv6", "private", "test-net", "hostname"],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_plain_tcp_off_loopback_is_refused() -> None:
    with pytest.raises(ValueError, match=r"Dask's wire format is pickle.*--insecure"):
        check_address(parse_address("dask://10.0.0.5:8786"))


@pytest.mark.parametrize(
    ("text", "insecure"),
    [
        ("tcp://127.0.0.1:8786", False),
        ("tcp://10.0.0.5:8786", True),
        ("tls://10.0.0.5:8786", False),
        ("dask-local", False),
    ],
    ids=["loopback", "insecure", "tls", "dask-local"],
)
def test_allowed_addresses(text: str, insecure: bool) -> None:
    check_address(parse_address(text), insecure=insecure)  # does not raise


def test_local_url_gives_the_local_executor() -> None:
    assert isinstance(executor_from_url("local"), LocalExecutor)


def test_dask_local_url_gives_a_lazy_dask_executor() -> None:
    executor = executor_from_url("dask-local", dispatch="cluster")
    assert type(executor).__name__ == "DaskExecutor"
    assert executor.dispatch == "cluster"  # type: ignore[attr-defined]
    assert executor._connection.connected is False  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("url", "options", "message"),
    [
        ("tls://127.0.0.1:8786", {}, "needs --tls-ca and --tls-cert"),
        ("tcp://127.0.0.1:8786", {"tls_ca": "ca.pem"}, "need a tls://HOST:PORT executor"),
        ("tls://127.0.0.1:8786", {"tls_ca": "nope.pem", "tls_cert": "x.pem"}, "no such file"),
        ("dask-local", {"dispatch": "everything"}, "dispatch must be one of"),
        ("tcp://10.1.2.3:8786", {}, "over plain TCP"),
    ],
    ids=["tls-without-certs", "certs-without-tls", "missing-file", "bad-dispatch", "plain-tcp"],
)
def test_executor_from_url_rejects(url: str, options: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        executor_from_url(url, **options)  # type: ignore[arg-type]


def test_dask_executor_refuses_local_and_tls_without_security() -> None:
    from flowscript.execution.executors import DaskExecutor

    with pytest.raises(ValueError, match="use LocalExecutor"):
        DaskExecutor("local")
    with pytest.raises(ValueError, match="needs security="):
        DaskExecutor("tls://127.0.0.1:8786")
