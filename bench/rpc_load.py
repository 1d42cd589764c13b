#!/usr/bin/env python3
"""Load test of `vmscope serve` over HTTP: N concurrent clients issue a mix of requests
(sys/info, tasks/list, tasks/backtrace, log/read, memory/read) against one open dump, and the
benchmark prints requests/s and latency percentiles per method. Every request must get exactly
one answer with its own id: a missing answer, a wrong id, an HTTP error or a JSON-RPC error
is counted and listed, never hidden. It measures and prints; it asserts nothing about time.

  bench/rpc_load.py --vmscope build/bin/vmscope [--core F] [--vmlinux V] [--clients 8]
                    [--requests 300] [--workers W]

Without --core it uses the fixture (VMSCOPE_FIXTURES, default
/var/cache/vmscope/fixtures/current): vmcore.elf and the manifest's vmlinux. The server is
started on 127.0.0.1 with a free port and stopped at the end (SIGTERM, must exit 0). Clients
are processes (not threads), so the client side's Python does not serialize on one core.
First the dump is opened and each kernel fact computed once (the "cold" requests, timed on
their own), then the clients run. Exit status: 0 when every request was answered without
error, 1 otherwise.
"""

import argparse
import http.client
import json
import multiprocessing
import os
import random
import re
import signal
import socket
import subprocess
import sys
import time

METHODS = ["sys/info", "tasks/list", "tasks/backtrace", "log/read", "memory/read"]


class Server:
    def __init__(self, argv):
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        deadline = time.time() + 30
        self.port = None
        while time.time() < deadline:
            line = self.proc.stderr.readline().decode(errors="replace")
            if not line:
                break
            match = re.search(r"listening on http://[^:]+:(\d+)/", line)
            if match:
                self.port = int(match.group(1))
                break
        if self.port is None:
            self.proc.kill()
            raise SystemExit("vmscope serve did not start listening")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(30)


def post(connection, request, quickack=False):
    body = json.dumps(request)
    connection.request("POST", "/rpc", body, {"Content-Type": "application/json"})
    if quickack:
        # Acknowledge the answer's first segment at once (Linux resets this after each send,
        # so it is set per request): takes the client's delayed ACK (40 ms) out of the
        # measurement, which a server writing headers and body as two segments without
        # TCP_NODELAY otherwise waits for (Nagle).
        connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
    response = connection.getresponse()
    data = response.read()
    return response.status, data


def call(port, method, params):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    started = time.perf_counter()
    status, data = post(connection, {"jsonrpc": "2.0", "id": 1, "method": method,
                                     "params": params})
    elapsed = time.perf_counter() - started
    connection.close()
    if status != 200:
        raise SystemExit(f"{method}: HTTP {status}: {data[:200]!r}")
    answer = json.loads(data)
    if "error" in answer:
        raise SystemExit(f"{method}: {answer['error']}")
    return answer["result"], elapsed


def client(port, dump_id, plan, seed, requests, quickack, queue):
    """One client: `requests` requests on one keep-alive connection; reports its latencies."""
    rng = random.Random(seed)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    latencies = {m: [] for m in METHODS}
    failures = []
    for n in range(requests):
        method = METHODS[n % len(METHODS)] if rng.random() < 0.5 else rng.choice(METHODS)
        params = {"dumpId": dump_id}
        if method == "tasks/list":
            params.update(rng.choice([{}, {"state": "S"}, {"comm": "kworker*"},
                                      {"offset": rng.randrange(0, 60), "limit": 10}]))
        elif method == "tasks/backtrace":
            params["address"] = rng.choice(plan["tasks"])
        elif method == "log/read":
            params.update({"fromSeq": rng.randrange(0, plan["last_seq"] + 1), "limit": 100})
        elif method == "memory/read":
            params.update({"address": rng.choice(plan["tasks"]), "length": 256})
        request_id = f"{seed}-{n}"
        started = time.perf_counter()
        try:
            status, data = post(connection, {"jsonrpc": "2.0", "id": request_id,
                                             "method": method, "params": params}, quickack)
        except (OSError, http.client.HTTPException) as e:
            failures.append(f"{method}: no answer: {e!r}")
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
            continue
        elapsed = time.perf_counter() - started
        if status != 200:
            failures.append(f"{method}: HTTP {status}")
            continue
        try:
            answer = json.loads(data)
        except ValueError:
            failures.append(f"{method}: malformed JSON answer")
            continue
        if answer.get("id") != request_id:
            failures.append(f"{method}: answer for id {answer.get('id')!r}, sent {request_id!r}")
        elif "error" in answer:
            failures.append(f"{method}: error {answer['error'].get('code')} "
                            f"{answer['error'].get('message')}")
        elif "result" not in answer:
            failures.append(f"{method}: neither result nor error")
        else:
            latencies[method].append(elapsed)
    connection.close()
    queue.put((latencies, failures))


def percentile(values, p):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100.0 * len(ordered)))]


def ms(seconds):
    return f"{seconds * 1000:8.2f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vmscope", required=True)
    parser.add_argument("--core")
    parser.add_argument("--vmlinux")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=300, help="per client")
    parser.add_argument("--workers", type=int, help="server worker threads (default: its own)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quickack", action="store_true",
                        help="clients acknowledge TCP segments at once (no delayed ACK)")
    args = parser.parse_args()

    fixtures = os.environ.get("VMSCOPE_FIXTURES", "/var/cache/vmscope/fixtures/current")
    core = args.core or os.path.join(fixtures, "vmcore.elf")
    vmlinux = args.vmlinux
    if not vmlinux:
        with open(os.path.join(fixtures, "manifest.json")) as f:
            vmlinux = json.load(f)["kernel"]["vmlinux"]
    argv = [args.vmscope, "serve", "--http", "127.0.0.1:0",
            "--allow-dir", os.path.dirname(os.path.realpath(core)),
            "--allow-dir", os.path.dirname(os.path.realpath(vmlinux))]
    if args.workers:
        argv += ["--workers", str(args.workers)]
    server = Server(argv)
    try:
        print(f"server: {' '.join(argv[1:])} (port {server.port})")
        opened, t = call(server.port, "dump/open", {"core": core, "vmlinux": vmlinux})
        dump_id = opened["dumpId"]
        print(f"cold: dump/open {ms(t)} ms")
        # Each fact once, timed: what the first client of a dump waits for.
        tasks, t = call(server.port, "tasks/list", {"dumpId": dump_id, "limit": 100000})
        print(f"cold: tasks/list {ms(t)} ms ({tasks['total']} tasks)")
        log, t = call(server.port, "log/read", {"dumpId": dump_id, "tail": True, "limit": 1})
        print(f"cold: log/read  {ms(t)} ms ({log['lastSeq'] + 1} records)")
        _, t = call(server.port, "sys/info", {"dumpId": dump_id})
        print(f"cold: sys/info  {ms(t)} ms")
        started = time.perf_counter()
        for task in tasks["tasks"]:
            call(server.port, "tasks/backtrace", {"dumpId": dump_id, "address": task["address"]})
        print(f"cold: tasks/backtrace of all {len(tasks['tasks'])} tasks "
              f"{ms(time.perf_counter() - started)} ms (one client, one by one)")
        plan = {"tasks": [t["address"] for t in tasks["tasks"]], "last_seq": log["lastSeq"]}

        queue = multiprocessing.Queue()
        processes = [multiprocessing.Process(target=client, args=(
            server.port, dump_id, plan, args.seed * 1000 + i, args.requests, args.quickack, queue))
            for i in range(args.clients)]
        started = time.perf_counter()
        for p in processes:
            p.start()
        results = [queue.get() for _ in processes]
        wall = time.perf_counter() - started
        for p in processes:
            p.join()
    finally:
        status = server.stop()

    latencies = {m: [] for m in METHODS}
    failures = []
    for per_method, failed in results:
        for m, values in per_method.items():
            latencies[m] += values
        failures += failed
    total = sum(len(v) for v in latencies.values())
    sent = args.clients * args.requests
    print(f"\n{args.clients} clients x {args.requests} requests = {sent} sent, {total} answered "
          f"with a result, {len(failures)} failed, in {wall:.2f} s: {total / wall:.0f} requests/s")
    print(f"{'method':18} {'count':>6} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    everything = []
    for m in METHODS:
        values = latencies[m]
        everything += values
        print(f"{m:18} {len(values):6d} {ms(percentile(values, 50))} {ms(percentile(values, 90))} "
              f"{ms(percentile(values, 99))} {ms(max(values) if values else float('nan'))}")
    print(f"{'all':18} {len(everything):6d} {ms(percentile(everything, 50))} "
          f"{ms(percentile(everything, 90))} {ms(percentile(everything, 99))} "
          f"{ms(max(everything) if everything else float('nan'))}")
    for f in failures[:20]:
        print("failure:", f)
    if status != 0:
        print(f"server exit status {status}")
    return 0 if not failures and total == sent and status == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
