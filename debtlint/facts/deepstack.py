"""Run a recursive computation over a deep tree on a thread with a large stack.

libcst's code generation (which positions are computed from) recurses once per tree level, and
a few levels of Python frames per node: a 600-term ``a + b + ...`` chain or attribute chain
exceeds Python's default recursion limit of 1,000. Generated code does that. Raising the limit on
the main thread's 8 MiB stack risks a segmentation fault instead, so the retry happens on a
helper thread whose stack is large enough for the raised limit.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

# Python frames allowed on the helper thread, and the stack that makes them safe (a few KiB per
# frame with room to spare; the memory is reserved, and only what is used is committed).
DEEP_RECURSION_LIMIT = 60_000
DEEP_STACK_BYTES = 512 * 1024 * 1024

_lock = threading.Lock()


def call_with_deep_stack(func: Callable[[], T]) -> T:
    """``func()`` on a thread with a deep stack; its exception, if any, is raised here.

    A RecursionError can still come out of trees deeper than ``DEEP_RECURSION_LIMIT`` allows.
    """
    outcome: list[T] = []
    failure: list[BaseException] = []

    def target() -> None:
        try:
            outcome.append(func())
        except BaseException as exc:  # handed to the caller, who decides
            failure.append(exc)

    # The recursion limit is global to the interpreter; the lock keeps two retries from
    # restoring each other's value, and the caller's thread only waits meanwhile.
    with _lock:
        old_limit = sys.getrecursionlimit()
        old_size = threading.stack_size()
        thread = threading.Thread(target=target, name="debtlint-deep-stack")
        sys.setrecursionlimit(max(old_limit, DEEP_RECURSION_LIMIT))
        try:
            # The stack size is read when the thread starts.
            threading.stack_size(DEEP_STACK_BYTES)
            try:
                thread.start()
            finally:
                threading.stack_size(old_size)
            thread.join()
        finally:
            sys.setrecursionlimit(old_limit)
    if failure:
        raise failure[0]
    return outcome[0]
