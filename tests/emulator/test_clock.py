"""The injectable clock and the limiter it drives."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from wacr.testing import Clock
from wacr.testing._clock import isoformat, parse_datetime
from wacr.testing._limiter import Limiter

T0 = datetime(2026, 1, 1, 8, 0, 0, tzinfo=timezone.utc)


def test_running_clock_follows_real_time() -> None:
    clock = Clock()
    assert not clock.frozen
    before = datetime.now(timezone.utc)
    assert before - timedelta(seconds=1) <= clock.now() <= datetime.now(timezone.utc)
    clock.advance(3600)
    assert clock.now() - datetime.now(timezone.utc) > timedelta(seconds=3590)
    clock.reset()
    assert abs(clock.now() - datetime.now(timezone.utc)) < timedelta(seconds=1)


def test_set_freezes_and_resume_runs_again() -> None:
    clock = Clock()
    clock.set(datetime(2026, 1, 1, 8))  # naive means UTC
    assert clock.frozen
    assert clock.now() == T0
    assert clock.advance(90) == T0 + timedelta(seconds=90)
    assert clock.now() == T0 + timedelta(seconds=90)
    clock.resume()
    assert not clock.frozen
    assert T0 + timedelta(seconds=90) <= clock.now() < T0 + timedelta(seconds=95)
    assert "running" in repr(clock)


def test_start_is_where_reset_returns() -> None:
    clock = Clock(datetime(2026, 1, 1, 9, tzinfo=timezone(timedelta(hours=1))))
    assert clock.now() == T0
    clock.advance(10)
    clock.reset()
    assert clock.now() == T0
    assert repr(clock) == "Clock(2026-01-01T08:00:00+00:00, frozen)"


def test_formats() -> None:
    assert isoformat(T0 + timedelta(microseconds=123)) == "2026-01-01T08:00:00+00:00"
    assert parse_datetime("2026-01-01T08:00:00Z") == T0
    assert parse_datetime("2026-01-01") == datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert parse_datetime("2026-01-01T09:00:00+01:00") == T0


def test_limiter_window() -> None:
    limiter = Limiter(2, 60)
    assert limiter.retry_after("k", T0) is None
    assert limiter.hit("k", T0) == 1
    assert limiter.hit("k", T0 + timedelta(seconds=10)) == 0
    assert limiter.retry_after("k", T0 + timedelta(seconds=10.5)) == 50  # rounded up
    assert limiter.retry_after("other", T0) is None
    assert limiter.retry_after("k", T0 + timedelta(seconds=60)) is None  # the window closed
    limiter.hit("k", T0 + timedelta(seconds=61))
    limiter.clear("k")
    assert limiter.retry_after("k", T0 + timedelta(seconds=61)) is None


def test_limiter_forgets_old_keys() -> None:
    limiter = Limiter(1, 1)
    for index in range(10_002):
        limiter.hit(index, T0)
    limiter.hit("late", T0 + timedelta(seconds=5))
    assert len(limiter._hits) == 1
