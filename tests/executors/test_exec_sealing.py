"""Secret values are sealed into tokens before node work leaves the coordinator."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from flowscript.execution.executors._sealing import Sealer, Substitution

SECRET = 'p@ss w/"q"'  # every form differs: raw, JSON-escaped, percent- and form-encoded


def _sealed(value: object, secrets: dict[str, str], nonce: str = "n") -> tuple[object, Sealer]:
    sealer = Sealer(secrets, nonce=nonce)
    return sealer.sealing(secrets).apply(value), sealer


@pytest.mark.parametrize(
    "form",
    [SECRET, json.dumps(SECRET)[1:-1], quote(SECRET, safe=""), quote_plus(SECRET, safe="")],
    ids=["raw", "json", "url", "form"],
)
def test_every_form_of_a_secret_is_sealed_and_reopened(form: str) -> None:
    value = {"url": f"https://api/x?key={form}&n=1", f"h-{form}": [form, 3, None]}
    sealed, sealer = _sealed(value, {"KEY": SECRET})
    assert SECRET not in json.dumps(sealed) and form not in json.dumps(sealed)
    assert sealer.opening({"KEY": SECRET}).apply(sealed) == value


def test_the_worker_puts_back_its_own_value_in_the_same_form() -> None:
    sealed, sealer = _sealed({"q": f"a={quote(SECRET, safe='')}"}, {"KEY": SECRET})
    reopened = Sealer.from_task(sealer.to_task()).opening({"KEY": "w r"}).apply(sealed)
    assert reopened == {"q": "a=w%20r"}


def test_the_task_carries_names_and_forms_never_values() -> None:
    sealer = Sealer({"KEY": SECRET}, nonce="abc")
    assert sealer.to_task() == {
        "@@fs-secret-abc-0-raw@@": ["KEY", "raw"],
        "@@fs-secret-abc-0-json@@": ["KEY", "json"],
        "@@fs-secret-abc-0-url@@": ["KEY", "url"],
        "@@fs-secret-abc-0-form@@": ["KEY", "form"],
    }


def test_used_tokens_name_the_secrets_a_payload_needs() -> None:
    secrets = {"A": "alpha-value", "B": "beta-value"}
    sealer = Sealer(secrets, nonce="n")
    sealing = sealer.sealing(secrets)
    sealing.apply({"x": "Bearer beta-value"})
    assert sealer.names(sealing.used) == {"B"}


def test_a_secret_containing_another_is_sealed_whole() -> None:
    secrets = {"SHORT": "token", "LONG": "token-and-more"}
    sealed, sealer = _sealed("token-and-more / token", secrets)
    assert sealed == "@@fs-secret-n-1-raw@@ / @@fs-secret-n-0-raw@@"
    assert sealer.opening(secrets).apply(sealed) == "token-and-more / token"


def test_non_string_values_and_tuples_are_walked() -> None:
    sealed, _ = _sealed(("s3cr3t", 1, 2.5, True, None), {"S": "s3cr3t"})
    assert sealed == ("@@fs-secret-n-0-raw@@", 1, 2.5, True, None)


def test_no_secrets_returns_the_value_itself() -> None:
    value = {"a": ["b"]}
    assert Substitution({}).apply(value) is value


def test_secrets_inside_prepared_dataclasses_are_sealed() -> None:
    from flowscript.runtimes.ai.conversation import AiCall
    from flowscript.runtimes.database._target import parse_target

    call = AiCall(
        node_id="ask", model="m", system=None, user="hi", schema=None, temperature=None,
        max_tokens=10, max_retries=0, timeout_ms=1000, base_url="https://x/v1",
        api_key=SECRET, cache_dir=None, budget=None,
    )  # fmt: skip
    target = parse_target(f"postgresql://u:{quote(SECRET, safe='')}@db/x", root=Path("."))
    value = {"call": call, "target": target}
    sealed, sealer = _sealed(value, {"KEY": SECRET})
    assert isinstance(sealed, dict)
    assert sealed["call"].api_key == "@@fs-secret-n-0-raw@@"  # type: ignore[index]
    assert quote(SECRET, safe="") not in sealed["target"].location  # type: ignore[index]
    assert sealer.opening({"KEY": SECRET}).apply(sealed) == value
