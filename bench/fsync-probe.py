#!/usr/bin/env python3
"""How long write + fdatasync takes on this machine's disk, with optional background writers.

    bench/fsync-probe.py WRITERS BYTES RATE COUNT [--background N MBPS [EVERY_SECONDS]]

WRITERS threads each append BYTES and fdatasync, RATE times a second, COUNT times, in files under
$TMPDIR (default /tmp); prints p50/p90/p99/max of the write + fdatasync time. With --background,
N more threads append MBPS megabytes a second each without fsync and fsync every EVERY_SECONDS
(default 1; like a replica's segments beside its Raft log). Used to tell disk stalls from CPU
starvation, and to see how the size of the background fsyncs moves the foreground ones."""
import os
import sys
import tempfile
import threading
import time


def pace(due, interval):
    """Sleeps until `due` + `interval` (open loop: a late step does not delay the next ones)."""
    due += interval
    pause = due - time.monotonic()
    if pause > 0:
        time.sleep(pause)
    return due


def probe(path, count, size, rate, out):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    buf = os.urandom(size)
    due = time.monotonic()
    for _ in range(count):
        start = time.monotonic()
        os.write(fd, buf)
        os.fdatasync(fd)
        out.append((time.monotonic() - start) * 1000)
        due = pace(due, 1.0 / rate)
    os.close(fd)
    os.unlink(path)


def background(path, mbps, every, stop):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    buf = os.urandom(500_000)
    due = last = time.monotonic()
    while not stop.is_set():
        os.write(fd, buf)
        if time.monotonic() - last > every:
            os.fsync(fd)
            last = time.monotonic()
        due = pace(due, 0.5 / mbps)
    os.close(fd)
    os.unlink(path)


def main():
    args = sys.argv[1:]
    extra, extra_mbps, every = 0, 0.0, 1.0
    if "--background" in args:
        i = args.index("--background")
        extra, extra_mbps = int(args[i + 1]), float(args[i + 2])
        end = i + 3
        if end < len(args) and "." in args[end]:
            every = float(args[end])
            end += 1
        del args[i:end]
    if len(args) != 4:
        sys.exit(__doc__)
    writers, size, rate, count = int(args[0]), int(args[1]), float(args[2]), int(args[3])
    directory = tempfile.mkdtemp(prefix="fsync-probe-")
    stop = threading.Event()
    side = [threading.Thread(target=background, args=(f"{directory}/bg{i}", extra_mbps, every, stop)) for i in range(extra)]
    for t in side:
        t.start()
    results = [[] for _ in range(writers)]
    threads = [threading.Thread(target=probe, args=(f"{directory}/w{i}", count, size, rate, results[i]))
               for i in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    for t in side:
        t.join()
    os.rmdir(directory)
    times = sorted(x for r in results for x in r)
    pick = lambda q: times[min(len(times) - 1, int(q * len(times)))]
    print(f"{writers} writer(s) x {size} B at {rate:g}/s, {extra} background writer(s) at {extra_mbps:g} MB/s fsync'ing every {every:g} s: "
          f"write+fdatasync p50 {pick(.5):.2f} p90 {pick(.9):.2f} p99 {pick(.99):.2f} max {times[-1]:.2f} ms")


if __name__ == "__main__":
    main()
