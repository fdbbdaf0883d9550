"""Start the project's programs as real processes and read their JSON-line output."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent


def program(name: str) -> str:
    path = BIN / name
    if not path.exists():
        raise RuntimeError(f"{path} is missing: install the project with 'make test' "
                           "(pip install -e '.[test]')")
    return str(path)


class Proc:
    """A child process whose stdout lines are collected (JSON lines parsed) in a thread."""

    def __init__(self, args: list[str], *, name: str, log_dir: Path,
                 env: dict[str, str] | None = None, stdin: bool = False) -> None:
        self.name, self.args = name, args
        log_dir.mkdir(parents=True, exist_ok=True)
        self.stderr_path = log_dir / f"{name}.stderr.log"
        self._stderr = open(self.stderr_path, "ab")
        self.p = subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=self._stderr,
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            env={**os.environ, **(env or {})}, text=True, bufsize=1)
        self.lines: list[Any] = []
        self._cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.p.stdout is not None
        for line in self.p.stdout:
            line = line.strip()
            if not line:
                continue
            try:
                item: Any = json.loads(line)
            except ValueError:
                item = line
            with self._cond:
                self.lines.append(item)
                self._cond.notify_all()

    def wait_for(self, pred: Callable[[Any], bool], timeout: float = 15.0,
                 what: str = "a matching line", since: int = 0) -> Any:
        """The first line (from index ``since``) satisfying ``pred``; fails after ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._cond:
            i = since
            while True:
                while i < len(self.lines):
                    item = self.lines[i]
                    i += 1
                    try:
                        if pred(item):
                            return item
                    except (KeyError, TypeError, AttributeError):
                        pass
                left = deadline - time.monotonic()
                if left <= 0 or (self.p.poll() is not None and i >= len(self.lines)):
                    break
                self._cond.wait(min(left, 0.2))
        raise AssertionError(
            f"{self.name}: no {what} within {timeout} s (exit code {self.p.poll()}); "
            f"last lines: {self.lines[-3:]}; stderr tail: {self.stderr_tail()}")

    def mark(self) -> int:
        with self._cond:
            return len(self.lines)

    def send(self, obj: dict) -> None:
        assert self.p.stdin is not None
        self.p.stdin.write(json.dumps(obj) + "\n")
        self.p.stdin.flush()

    def stderr_tail(self, n: int = 2000) -> str:
        try:
            return self.stderr_path.read_text()[-n:]
        except OSError:
            return ""

    @property
    def alive(self) -> bool:
        return self.p.poll() is None

    def kill9(self) -> None:
        if self.alive:
            self.p.send_signal(signal.SIGKILL)
        self.p.wait(10)

    def stop(self, timeout: float = 10.0) -> int:
        if self.alive:
            self.p.terminate()
            try:
                self.p.wait(timeout)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait(5)
        self._stderr.close()
        return self.p.returncode


def run_phone(cloud: str, profile: Path, *args: str, timeout: float = 30.0) -> dict:
    """Run ``ismart-phone --json ...``; returns its JSON with the exit code as ``rc``."""
    r = subprocess.run([program("ismart-phone"), "--cloud", cloud, "--profile", str(profile),
                        "--json", *args], capture_output=True, text=True, timeout=timeout)
    try:
        out = json.loads(r.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise AssertionError(f"ismart-phone {args} printed no JSON: {r.stdout!r} {r.stderr!r}") from None
    out["rc"] = r.returncode
    out["stderr"] = r.stderr
    return out
