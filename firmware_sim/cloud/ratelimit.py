"""Abuse limits: token buckets per account and per source, as pure rules over injected time.

A :class:`Bucket` rule holds ``burst`` tokens and gains one every ``every`` seconds; each
attempt takes one. :class:`Limiter` keeps one bucket per key and says how long to wait when a
bucket is empty. :class:`AbuseLimits` is the cloud's policy:

- logins: per account and per source (a phone's address, or ``vin:<VIN>`` for credentials
  typed on a head unit); only failures count (a success gives its token back);
- verification codes asked for: per identifier and per source; every code sent counts (each
  one is an SMS or an e-mail);
- verification codes tried: per source; only failures count (a code also locks itself after
  5 wrong tries, see :mod:`.codes`).

An exhausted limit raises ``CloudError("rate_limited", "... Try again in N s.", status=429,
retry_after=N)``. Nothing here reads a clock: callers pass ``now``.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from headunit.protocol.errors import CloudError

MAX_KEYS = 50_000


@dataclass(frozen=True)
class Bucket:
    """``burst`` attempts at once, then one more every ``every`` seconds."""

    burst: int
    every: float


class Limiter:
    def __init__(self, rule: Bucket) -> None:
        self.rule = rule
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)

    def _level(self, key: str, now: float) -> float:
        tokens, at = self._buckets.get(key, (float(self.rule.burst), now))
        return min(float(self.rule.burst), tokens + max(0.0, now - at) / self.rule.every)

    def take(self, key: str, now: float) -> float:
        """Take a token: 0.0 if there was one, else the seconds until there is one."""
        level = self._level(key, now)
        if level >= 1.0:
            self._buckets[key] = (level - 1.0, now)
            self._prune(now)
            return 0.0
        return (1.0 - level) * self.rule.every

    def give_back(self, key: str, now: float) -> None:
        self._buckets[key] = (min(float(self.rule.burst), self._level(key, now) + 1.0), now)

    def _prune(self, now: float) -> None:
        if len(self._buckets) > MAX_KEYS:
            full = [k for k in self._buckets if self._level(k, now) >= self.rule.burst]
            for k in full:
                del self._buckets[k]


def refusal(wait: float) -> CloudError:
    seconds = max(1, math.ceil(wait))
    return CloudError("rate_limited", f"Too many attempts. Try again in {seconds} s.",
                      status=429, retry_after=float(seconds))


@dataclass(frozen=True)
class Policy:
    login_per_account: Bucket = Bucket(5, 60.0)
    login_per_source: Bucket = Bucket(20, 30.0)
    codes_per_identifier: Bucket = Bucket(5, 300.0)
    codes_per_source: Bucket = Bucket(10, 60.0)
    code_tries_per_source: Bucket = Bucket(20, 30.0)


class AbuseLimits:
    """The cloud's limits; thread-safe. ``source`` None (an in-process caller) is not limited
    per source, nor is a source in ``trusted_sources`` (a load-test rig such as
    ``ismart-fleet``, given with ``ismart-cloud serve --trust-source``); per-account limits
    apply to everyone."""

    def __init__(self, policy: Policy | None = None,
                 trusted_sources: frozenset[str] = frozenset()) -> None:
        self.trusted_sources = trusted_sources
        self.policy = p = policy or Policy()
        self._lock = threading.Lock()
        self._limiters = {
            "login:account": Limiter(p.login_per_account),
            "login:source": Limiter(p.login_per_source),
            "code:identifier": Limiter(p.codes_per_identifier),
            "code:source": Limiter(p.codes_per_source),
            "code-try:source": Limiter(p.code_tries_per_source),
        }

    def _take_all(self, keys: list[tuple[str, str]], now: float) -> None:
        """Take one token from each bucket, or none at all and raise ``rate_limited``."""
        keys[:] = [(n, k) for n, k in keys
                   if not (n.endswith(":source") and k in self.trusted_sources)]
        with self._lock:
            waits = [self._limiters[name]._level(key, now) for name, key in keys]
            short = [(1.0 - level) * self._limiters[name].rule.every
                     for (name, _), level in zip(keys, waits, strict=True) if level < 1.0]
            if short:
                raise refusal(max(short))
            for name, key in keys:
                self._limiters[name].take(key, now)

    def _give_back(self, keys: list[tuple[str, str]], now: float) -> None:
        with self._lock:
            for name, key in keys:
                self._limiters[name].give_back(key, now)

    @contextmanager
    def code_request(self, identifier: str, source: str | None, now: float) -> Iterator[None]:
        """Wrap sending a code: refused at once when throttled; a code that is not sent after
        all (e.g. ``code_too_soon``) gives its tokens back."""
        keys = [("code:identifier", identifier)] + ([("code:source", source)] if source else [])
        self._take_all(keys, now)
        try:
            yield
        except BaseException:
            self._give_back(keys, now)
            raise

    @contextmanager
    def login_attempt(self, identifier: str, source: str | None, now: float) -> Iterator[None]:
        """Wrap a password check: refused at once when throttled; a success costs nothing."""
        keys = [("login:account", identifier)] + ([("login:source", source)] if source else [])
        self._take_all(keys, now)
        yield  # an exception from the body propagates here: the tokens stay taken
        self._give_back(keys, now)

    @contextmanager
    def code_attempt(self, source: str | None, now: float) -> Iterator[None]:
        """Wrap a verification-code check from ``source``; a success costs nothing."""
        keys = [("code-try:source", source)] if source else []
        self._take_all(keys, now)
        yield  # an exception from the body propagates here: the tokens stay taken
        self._give_back(keys, now)
