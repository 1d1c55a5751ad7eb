"""Shared by the benchmark scripts: best-of-N timing with peak memory of a child."""
import os
import sys
import time


def warm(path):
    """Reads a file once so every tool reads it from the page cache."""
    with open(path, "rb") as f:
        while f.read(1 << 24):
            pass


def measure(name, argv, size, runs=5, ok=(0,)):
    """Runs argv `runs` times (output discarded); prints and returns the best time.
    An exit code outside `ok` stops the benchmark."""
    best = None
    for _ in range(runs):
        pid = os.fork()
        if pid == 0:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            os.execv(argv[0], argv)
        t0 = time.monotonic()
        _, status, ru = os.wait4(pid, 0)
        dt = time.monotonic() - t0
        code = os.waitstatus_to_exitcode(status)
        if code not in ok:
            sys.exit(f"{name}: exit {code}")
        if best is None or dt < best[0]:
            best = (dt, ru.ru_maxrss)
    dt, rss_kb = best
    print(f"{name:<34} {dt:7.2f} s  {size / dt / 1e6:8.1f} MB/s  peak RSS {rss_kb / 1024:7.1f} MB")
    return dt
