#!/usr/bin/env python3
"""`vmscope serve --receive` end to end, on real sockets and real clients.

The real server is started with `--http 127.0.0.1:0 --receive TMPDIR` and ephemeral receiver
ports (it prints every bound port on stderr). TWO event-stream clients subscribe to GET /events;
then
  --part logs   netconsole lines (extended, plain, a fragmented record) are sent over UDP and
                syslog messages by util-linux `logger` (UDP and TCP, RFC 5424 and 3164): both
                clients must receive one receiver/logLine per line, with its fields, and the
                host's log files must hold them;
  --part dump   a fixture dump is sent with `vmscope send` to the dump port: both clients must
                see receiver/dumpStarted -> receiver/dumpProgress -> receiver/dumpCompleted;
                dump/list must show the dump (source "received", complete), dump/open by its
                receivedId must open it, and sys/info must equal the original dump's.
                Exits 77 (CTest: skipped) while this build has no `vmscope send`.
Exits 1 on the first failure, printing what was expected and what arrived.

Usage: serve_receive_test.py --vmscope PATH --part logs|dump [--logger PATH] [--fixture DIR]
"""

import argparse
import http.client
import json
import os
import queue
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

TIMEOUT = 30.0
SKIP = 77


class Failure(Exception):
    pass


class EventClient:
    """GET /events on its own connection; every notification goes to a list."""

    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.conn.request("GET", "/events")
        self.response = self.conn.getresponse()
        if self.response.status != 200:
            raise Failure(f"GET /events: HTTP {self.response.status}")
        self.notifications = []
        self.lock = threading.Condition()
        self.opened = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()
        if not self.opened.wait(TIMEOUT):
            raise Failure("the event stream did not open")

    def _read(self):
        data = []
        try:
            for raw in self.response:
                line = raw.decode("utf-8").rstrip("\r\n")
                if line.startswith("retry:"):
                    self.opened.set()
                elif line.startswith("data:"):
                    data.append(line[5:].lstrip(" "))
                elif line == "" and data:
                    message = json.loads("\n".join(data))
                    data = []
                    with self.lock:
                        self.notifications.append(message)
                        self.lock.notify_all()
        except Exception:  # noqa: BLE001 - the stream ends when we or the server close it
            pass

    def wait_for(self, predicate, what, timeout=TIMEOUT):
        """Waits until predicate(notifications) is true; returns its value."""
        deadline = time.time() + timeout
        with self.lock:
            while True:
                value = predicate(self.notifications)
                if value:
                    return value
                left = deadline - time.time()
                if left <= 0:
                    methods = [n.get("method") for n in self.notifications]
                    raise Failure(f"timed out waiting for {what}; got {len(methods)} "
                                  f"notifications: {methods[-20:]}")
                self.lock.wait(left)

    def close(self):
        try:
            self.conn.sock.shutdown(socket.SHUT_RDWR)
        except (OSError, AttributeError):
            pass


class Server:
    """`vmscope serve` with the bound ports it announces on stderr; `expect` names the
    (listener, protocol) pairs to wait for."""

    def __init__(self, argv, expect):
        self.argv = argv
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        self.stderr = []
        self.http_port = None
        self.listeners = {}  # ("netconsole", "udp") -> port
        self.changed = threading.Condition()
        threading.Thread(target=self._read_stderr, daemon=True).start()
        with self.changed:
            ready = self.changed.wait_for(
                lambda: self.proc.poll() is not None or
                (self.http_port and all(key in self.listeners for key in expect)), TIMEOUT)
        if not ready or self.proc.poll() is not None:
            self.proc.kill()
            raise Failure("the server did not announce its ports:\n" + "".join(self.stderr))

    def _read_stderr(self):
        for raw in self.proc.stderr:
            line = raw.decode(errors="replace")
            with self.changed:
                self.stderr.append(line)
                m = re.search(r"listening on http://[^ ]*:(\d+)/", line)
                if m:
                    self.http_port = int(m.group(1))
                m = re.search(r"receiving (\w+) on (udp|tcp)://.*:(\d+)$", line.strip())
                if m:
                    self.listeners[(m.group(1), m.group(2))] = int(m.group(3))
                self.changed.notify_all()
        with self.changed:
            self.changed.notify_all()

    def port(self, what, protocol):
        if (what, protocol) not in self.listeners:
            raise Failure(f"the server announced no {what} {protocol} listener:\n" +
                          "".join(self.stderr))
        return self.listeners[(what, protocol)]

    def call(self, method, params=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=300)
        body = {"jsonrpc": "2.0", "id": 1, "method": method}
        if params is not None:
            body["params"] = params
        conn.request("POST", "/rpc", body=json.dumps(body),
                     headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        reply = json.loads(response.read())
        conn.close()
        if "error" in reply:
            raise Failure(f"{method} {json.dumps(params)} failed: {json.dumps(reply['error'])}")
        return reply["result"]

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise Failure("the server did not stop on SIGTERM")
        if code != 0:
            raise Failure(f"the server exited {code}:\n" + "".join(self.stderr))


def check(condition, what):
    if not condition:
        raise Failure(what)


def log_lines(notifications):
    return [n["params"] for n in notifications if n.get("method") == "receiver/logLine"]



def part_logs(args, workdir):
    server = Server([args.vmscope, "serve", "--http", "127.0.0.1:0", "--receive",
                     os.path.join(workdir, "dumps"), "--netconsole-port", "0", "--syslog-port", "0"],
                    expect=[("netconsole", "udp"), ("syslog", "udp"), ("syslog", "tcp")])
    clients = []
    try:
        clients = [EventClient(server.http_port), EventClient(server.http_port)]
        netconsole = server.port("netconsole", "udp")
        expected = []  # (source, text, extra fields)
        # Extended netconsole records, one datagram each, from one source port as the kernel
        # sends them; then a record the kernel split in two fragments (ncfrag=<offset>/<total>).
        kernel = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        for seq in range(1, 21):
            text = f"line {seq} from the kernel \u00fc"
            kernel.sendto(f"6,{seq},{1000000 + seq},-;{text}\n".encode(),
                          ("127.0.0.1", netconsole))
            expected.append(("netconsole", text, {"seq": seq, "level": 6,
                                                  "timestamp": f"1.{seq:06d}"}))
        body = "a long record, cut in two fragments\n"
        half = 12
        for offset, piece in ((0, body[:half]), (half, body[half:])):
            kernel.sendto(f"4,21,2000000,-,ncfrag={offset}/{len(body)};{piece}".encode(),
                          ("127.0.0.1", netconsole))
        kernel.close()
        expected.append(("netconsole", body.rstrip("\n"), {"seq": 21, "level": 4}))
        # Plain netconsole from another source port.
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.sendto(b"[    3.000001] plain console line\n", ("127.0.0.1", netconsole))
        expected.append(("netconsole", "plain console line", {"timestamp": "3.000001"}))
        # Syslog by util-linux logger: UDP and TCP, both RFC formats.
        for transport, flag in (("udp", "-d"), ("tcp", "-T")):
            port = server.port("syslog", transport)
            for rfc in ("--rfc5424", "--rfc3164"):
                text = f"logger {transport} {rfc[2:]} message"
                subprocess.run([args.logger, "-n", "127.0.0.1", "-P", str(port), flag, rfc,
                                "-t", "vmscope-test", "-p", "user.warning", text],
                               check=True, timeout=TIMEOUT)
                expected.append(("syslog", text, {"level": 4, "transport": transport}))

        texts = [(source, text) for source, text, _ in expected]
        for index, client in enumerate(clients):
            def all_arrived(notifications):
                got = [(p["source"], p["text"]) for p in log_lines(notifications)]
                return all(t in got for t in texts)
            try:
                client.wait_for(all_arrived, f"client {index + 1}: every receiver/logLine")
            except Failure:
                with client.lock:
                    got = [(p["source"], p["text"]) for p in log_lines(client.notifications)]
                raise Failure(f"client {index + 1}: missing receiver/logLine for "
                              f"{[t for t in texts if t not in got]}; unexpected: "
                              f"{[g for g in got if g not in texts]}")
            with client.lock:
                lines = log_lines(client.notifications)
            check(len(lines) == len(expected),
                  f"client {index + 1}: {len(lines)} logLine notifications for "
                  f"{len(expected)} lines: {json.dumps(lines, indent=1)}")
            for source, text, fields in expected:
                params = next(p for p in lines if p["source"] == source and p["text"] == text)
                check(params["host"] == "127.0.0.1", f"host of {text!r}: {params['host']}")
                for key, value in fields.items():
                    check(params.get(key) == value,
                          f"{text!r}: {key} is {params.get(key)!r}, expected {value!r}")
            # netconsole lines of one sender arrive in order.
            seqs = [p["seq"] for p in lines if p["source"] == "netconsole" and "seq" in p
                    and p["seq"] <= 20]
            check(seqs == sorted(seqs), f"client {index + 1}: netconsole out of order: {seqs}")
        print(f"ok   both clients received all {len(expected)} receiver/logLine notifications")

        log_file = os.path.join(workdir, "dumps", "logs", "127.0.0.1", "netconsole.log")
        with open(log_file, encoding="utf-8") as f:
            content = f.read()
        for seq in range(1, 21):
            check(f"[    1.{seq:06d}] line {seq} from the kernel \u00fc\n" in content,
                  f"{log_file} lacks line {seq}:\n{content}")
        print("ok   the host's netconsole.log holds the lines")

        listed = server.call("dump/list")
        check(listed == {"dumps": []}, f"dump/list: {listed}")
        listed = server.call("dump/list", {"source": "received"})
        check(listed == {"dumps": []}, f"dump/list received: {listed}")
        print("ok   dump/list with the receiver and no dump")
    finally:
        for client in clients:
            client.close()
        server.stop()
    print("ok   the server stopped cleanly")


def has_send(vmscope):
    usage = subprocess.run([vmscope, "--help"], capture_output=True, text=True)
    return re.search(r"^\s*send\b", usage.stdout + usage.stderr, re.M) is not None


def part_dump(args, workdir):
    if not has_send(args.vmscope):
        print("skip: this vmscope has no `send` command yet; the dump part needs it")
        return SKIP
    fixture = args.fixture
    with open(os.path.join(fixture, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    core = os.path.realpath(os.path.join(fixture, "vmcore.kdump-lzo"))
    debug_dir = manifest["kernel"]["debug_dir"]
    check(os.path.exists(core), f"fixture dump missing: {core}")

    key_file = os.path.join(workdir, "testhost.vmscope-key")
    with open(key_file, "w") as f:
        f.write(f"host_id=0x{secrets.randbits(63) | 1:016x}\nkey={secrets.token_hex(32)}\n")
    os.chmod(key_file, 0o600)
    hosts = os.path.join(workdir, "hosts")
    with open(hosts, "w") as f:
        f.write(f"testhost {key_file} 127.0.0.1\n")

    allow = sorted({os.path.dirname(core), os.path.realpath(debug_dir)})
    argv = [args.vmscope, "serve", "--http", "127.0.0.1:0", "--receive",
            os.path.join(workdir, "dumps"), "--netconsole-port", "0", "--syslog-port", "off",
            "--dump-port", "0", "--hosts", hosts, "--debug-dir", debug_dir]
    for directory in allow:
        argv += ["--allow-dir", directory]
    server = Server(argv, expect=[("dumps", "udp"), ("netconsole", "udp")])
    clients = []
    try:
        clients = [EventClient(server.http_port), EventClient(server.http_port)]
        port = server.port("dumps", "udp")
        # Paced so that the send lasts a few seconds: the ingest reports progress once a second.
        began = time.time()
        sender = subprocess.Popen([args.vmscope, "send", "--core", core, "--to",
                                   f"127.0.0.1:{port}", "--key", key_file, "--rate", "8"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # A console line from the same host while its dump arrives goes into the dump's `log`.
        clients[0].wait_for(lambda ns: any(n.get("method") == "receiver/dumpStarted" for n in ns),
                            "receiver/dumpStarted")
        console_line = "panic console line while the dump arrives"
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.sendto(f"0,1,5000000,-;{console_line}\n".encode(),
                     ("127.0.0.1", server.port("netconsole", "udp")))
        out, err = sender.communicate(timeout=600)
        check(sender.returncode == 0, f"vmscope send failed ({sender.returncode}):\n{err}")
        print(f"ok   vmscope send took {time.time() - began:.1f} s: {out.strip()}")

        received_id = None
        for index, client in enumerate(clients):
            def finished(notifications):
                return any(n.get("method") in ("receiver/dumpCompleted", "receiver/dumpFailed")
                           for n in notifications)
            client.wait_for(finished, f"client {index + 1}: the dump's end", timeout=300)
            with client.lock:
                events = [n for n in client.notifications
                          if n.get("method", "").startswith("receiver/dump")]
            methods = [n["method"] for n in events]
            check(methods[0] == "receiver/dumpStarted", f"client {index + 1}: {methods}")
            check(methods[-1] == "receiver/dumpCompleted",
                  f"client {index + 1}: {methods}; last: {json.dumps(events[-1])}")
            progress = methods.count("receiver/dumpProgress")
            check(progress >= 1, f"client {index + 1}: no progress: {methods}")
            ids = {n["params"]["receivedId"] for n in events}
            check(len(ids) == 1, f"client {index + 1}: several dumps: {ids}")
            received_id = received_id or ids.pop()
            final = events[-1]["params"]
            check(final["dump"]["status"] == "complete", f"final: {json.dumps(final)}")
            check(final["progress"]["missing"] == 0, f"final: {json.dumps(final)}")
        print(f"ok   both clients saw dumpStarted -> dumpProgress (x{progress}) -> "
              f"dumpCompleted for {received_id}")

        dump_log = os.path.join(workdir, "dumps", received_id, "log")
        with open(dump_log, encoding="utf-8") as f:
            content = f.read()
        check(f"[    5.000000] {console_line}\n" in content, f"{dump_log}:\n{content}")
        print("ok   the console line sent during the dump is in the dump's log")

        listed = server.call("dump/list", {"source": "received"})["dumps"]
        check(len(listed) == 1 and listed[0]["receivedId"] == received_id and
              listed[0]["status"] == "complete" and listed[0]["host"] == "testhost",
              f"dump/list: {json.dumps(listed)}")
        print("ok   dump/list shows the received dump, complete")

        opened = server.call("dump/open", {"receivedId": received_id})
        check(opened.get("receivedId") == received_id, f"dump/open: {json.dumps(opened)}")
        original = server.call("dump/open", {"core": core})
        listed = server.call("dump/list")["dumps"]
        received_entry = next(d for d in listed if d["source"] == "received")
        check(received_entry.get("dumpId") == opened["dumpId"], f"dump/list: {json.dumps(listed)}")
        print(f"ok   dump/open by receivedId gave {opened['dumpId']}")

        # The received dump tells the same story as the original: sys, tasks, log, modules.
        methods = {m["name"] for m in server.call("rpc.discover")["methods"]}
        check("sys/info" in methods, "sys/info is not registered")
        for method in ("sys/info", "tasks/list", "log/read", "modules/list"):
            if method not in methods:
                print(f"note {method} is not registered in this build: not compared")
                continue
            a = server.call(method, {"dumpId": opened["dumpId"]})
            b = server.call(method, {"dumpId": original["dumpId"]})
            check(a == b, f"{method} differs:\nreceived {json.dumps(a)[:2000]}\n"
                          f"original {json.dumps(b)[:2000]}")
            print(f"ok   {method} of the received dump equals the original's")
    finally:
        for client in clients:
            client.close()
        server.stop()
    print("ok   the server stopped cleanly")
    return 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--vmscope", required=True)
    parser.add_argument("--part", choices=["logs", "dump"], required=True)
    parser.add_argument("--logger", default=shutil.which("logger"))
    parser.add_argument("--fixture", default=os.environ.get(
        "VMSCOPE_FIXTURES", "/var/cache/vmscope/fixtures/current"))
    args = parser.parse_args()
    if args.part == "logs" and not args.logger:
        print("FAIL util-linux logger not found")
        return 1
    workdir = tempfile.mkdtemp(prefix=f"vmscope-serve-receive-{os.getpid()}-")
    try:
        code = part_logs(args, workdir) if args.part == "logs" else part_dump(args, workdir)
        return code or 0
    except Failure as failure:
        print(f"FAIL {failure}")
        return 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
