#!/usr/bin/env python3
# Runs a command in its own process group and kills that group if the summed RSS of the command's
# process tree passes a limit (default 17 GiB). Polls /proc once a second; prints the peak.
# Usage: rss_watchdog.py [--limit-gib 17] [--log FILE] -- CMD ARGS...
import os
import signal
import subprocess
import sys
import time


def tree_rss_kib(root):
    kids = {}
    rss = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                st = f.read()
            ppid = int(st[st.rindex(")") + 2:].split()[1])
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        rss[int(pid)] = int(line.split()[1])
                        break
            kids.setdefault(ppid, []).append(int(pid))
        except (OSError, ValueError):
            continue
    total, todo = 0, [root]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo.extend(kids.get(p, []))
    return total


def main():
    args = sys.argv[1:]
    limit = 17.0
    log = None
    while args and args[0] != "--":
        if args[0] == "--limit-gib":
            limit = float(args[1]); args = args[2:]
        elif args[0] == "--log":
            log = args[1]; args = args[2:]
        else:
            sys.exit("usage: rss_watchdog.py [--limit-gib G] [--log FILE] -- CMD...")
    cmd = args[1:]
    p = subprocess.Popen(cmd, start_new_session=True)
    peak, t0, killed = 0, time.time(), False
    while p.poll() is None:
        r = tree_rss_kib(p.pid)
        peak = max(peak, r)
        if r > limit * 1024 * 1024:
            killed = True
            msg = f"watchdog: tree RSS {r} kB > {limit} GiB after {time.time() - t0:.0f} s: killing group {p.pid}"
            print(msg, file=sys.stderr, flush=True)
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            break
        time.sleep(1)
    rc = p.wait()
    msg = f"watchdog: rc={rc} killed={killed} peak_tree_rss_kb={peak} ({peak / 1048576:.2f} GiB) wall={time.time() - t0:.0f}s"
    print(msg, file=sys.stderr, flush=True)
    if log:
        with open(log, "a") as f:
            f.write(time.strftime("%Y-%m-%dT%H:%M:%S ") + " ".join(cmd) + "\n  " + msg + "\n")
    sys.exit(137 if killed else rc)


if __name__ == "__main__":
    main()
