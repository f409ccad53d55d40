"""Property tests for retry backoff (execution.md §6.2): every wait within its bounds, never
above the cap, whatever the policy, the retry index and the random draw."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from flowscript.execution.retry import JITTER, RetryConfig, backoff_delay

seconds = st.floats(min_value=0, max_value=10_000, allow_nan=False, allow_infinity=False)
retries = st.integers(min_value=0, max_value=5_000)
draws = st.floats(min_value=0, max_value=1, exclude_max=True, allow_nan=False)
TOLERANCE = 1e-9


def _config(backoff: str, base: float, cap: float) -> RetryConfig:
    return RetryConfig(backoff=backoff, delay=base, max_delay=cap)  # type: ignore[arg-type]


@given(base=seconds, cap=seconds, retry=retries, draw=draws)
def test_exponential_full_jitter_stays_in_zero_to_capped_doubling(
    base: float, cap: float, retry: int, draw: float
) -> None:
    wait = backoff_delay(_config("exponential", base, cap), retry, rng=lambda: draw)
    bound = cap if retry > 1000 else min(cap, base * 2.0**retry)
    assert 0 <= wait <= bound + TOLERANCE
    assert wait <= cap


@given(base=seconds, cap=seconds, retry=retries, draw=draws)
def test_linear_is_within_twenty_percent_of_capped_step(
    base: float, cap: float, retry: int, draw: float
) -> None:
    wait = backoff_delay(_config("linear", base, cap), retry, rng=lambda: draw)
    step = min(cap, base * (retry + 1))
    assert step * (1 - JITTER) - TOLERANCE * max(1, step) <= wait
    assert wait <= min(cap, step * (1 + JITTER)) + TOLERANCE
    assert wait <= cap


@given(base=seconds, cap=seconds, retry=retries, draw=draws)
def test_fixed_is_within_twenty_percent_of_base_and_capped(
    base: float, cap: float, retry: int, draw: float
) -> None:
    wait = backoff_delay(_config("fixed", base, cap), retry, rng=lambda: draw)
    assert min(cap, base * (1 - JITTER)) - TOLERANCE * max(1, base) <= wait
    assert wait <= min(cap, base * (1 + JITTER)) + TOLERANCE
    assert wait <= cap


@given(
    backoff=st.sampled_from(["exponential", "linear", "fixed"]),
    base=seconds,
    cap=seconds,
    retry=retries,
    retry_after=st.floats(min_value=-100, max_value=1e6, allow_nan=False),
)
def test_retry_after_overrides_and_is_capped(
    backoff: str, base: float, cap: float, retry: int, retry_after: float
) -> None:
    wait = backoff_delay(
        _config(backoff, base, cap), retry, rng=lambda: 0.5, retry_after=retry_after
    )
    assert wait == min(cap, max(0.0, retry_after))
