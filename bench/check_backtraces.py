#!/usr/bin/python3
"""Every task's backtrace from vmscope against drgn's, on one fixture (the check behind the
many-task numbers of docs/performance.md: the backtraces timed are the right ones).

One `vmscope serve --stdio` process: dump/open of the fixture's vmcore.elf, then one
tasks/backtrace per task of oracle/stacks.json (drgn 0.0.31, recorded by make-fixtures), and
the kernel frames' program counters compared in order (drgn lists an inlined call as extra
frames at the same pc: consecutive equal pcs count once; both stop at the first user frame).
Prints the count of equal and different backtraces and a few differences; exit status 1 if
any differ or fail. Not a timing: use bench/run for that.

Usage: bench/check_backtraces.py [--vmscope build/bin/vmscope] FIXTURE_DIR
"""
import argparse
import json
import os
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Stdio:
    def __init__(self, argv):
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL)
        self.next_id = 0

    def call(self, method, params):
        self.next_id += 1
        body = json.dumps({"jsonrpc": "2.0", "id": self.next_id, "method": method,
                           "params": params}).encode()
        self.p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.p.stdin.flush()
        while True:
            length = None
            while True:
                line = self.p.stdout.readline()
                if not line:
                    raise RuntimeError("server closed its output")
                line = line.strip()
                if not line:
                    if length is not None:
                        break
                    continue
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            reply = json.loads(self.p.stdout.read(length))
            if reply.get("id") == self.next_id:
                return reply

    def close(self):
        self.p.stdin.close()
        return self.p.wait()


def kernel_pcs(frames, user_key):
    pcs = []
    for f in frames:
        if f.get(user_key):
            break
        if not pcs or pcs[-1] != f["pc"]:
            pcs.append(f["pc"])
    return pcs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vmscope", default=os.path.join(REPO, "build", "bin", "vmscope"))
    ap.add_argument("fixture")
    args = ap.parse_args()
    manifest = json.load(open(os.path.join(args.fixture, "manifest.json")))
    oracle = json.load(open(os.path.join(args.fixture, "oracle", "stacks.json")))["stacks"]
    server = Stdio([args.vmscope, "serve", "--stdio", "--allow-dir",
                    os.path.dirname(os.path.realpath(args.fixture))])
    opened = server.call("dump/open", {"core": os.path.join(args.fixture, "vmcore.elf"),
                                       "vmlinux": manifest["kernel"]["vmlinux"]})
    if "error" in opened:
        sys.exit(f"dump/open failed: {opened['error']}")
    dump_id = opened["result"]["dumpId"]
    same, differ, failed = 0, [], []
    start = time.perf_counter()
    for s in oracle:
        reply = server.call("tasks/backtrace", {"dumpId": dump_id, "address": s["task"]})
        if "error" in reply:
            failed.append((s["pid"], s["comm"], reply["error"].get("message")))
            continue
        want = kernel_pcs(s["frames"], "user")
        got = kernel_pcs(reply["result"].get("frames", []), "userMode")
        if got == want:
            same += 1
        else:
            differ.append((s["pid"], s["comm"], want[:8], got[:8]))
    seconds = time.perf_counter() - start
    server.close()
    print(f"{len(oracle)} tasks: {same} backtraces equal to drgn's (kernel frame pcs), "
          f"{len(differ)} differ, {len(failed)} failed ({seconds:.1f} s, not a benchmark)")
    for d in differ[:5]:
        print("  differs:", d)
    for f in failed[:5]:
        print("  failed:", f)
    sys.exit(1 if differ or failed else 0)


if __name__ == "__main__":
    main()
