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
                The server triages the finished dump on its own: both clients must see
                receiver/dumpTriaged, and dump/list must show crash's panic title (the oracle's
                `sys` PANIC line) and the title and bucket id triage/report gives the ORIGINAL
                dump. The datagrams go through a relay on 127.0.0.1 that also sends a tampered
                copy of one (before the original) and a duplicate; forged datagrams (a known host
                id without its key, an unknown host id) and, after the session, a replayed one
                are sent too: server/status must count each under its cause, and the dump must
                still be complete. Last, the received dump directory is copied into a second
                server's receiver directory with a debug directory holding no vmlinux: its
                catalog must record why triage failed.
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


def forged_datagram(host_id, session_id=0x99, seq=0):
    """A SESSION_START header (protocol-spec/dump-wire-protocol.md section 4) and a body and tag
    that were never sealed with the host's key."""
    header = b"VMSD" + bytes([1, 1, 0, 0]) + host_id.to_bytes(8, "little") + \
        session_id.to_bytes(8, "little") + seq.to_bytes(8, "little")
    return header + b"\x5a" * (144 + 16)


class Relay:
    """Forwards every datagram from `vmscope send` to the receiver on 127.0.0.1. The datagram
    with index `tamper_at` is first sent with its last byte flipped (the tag no longer verifies;
    its seq is still unseen, so the gate reaches authentication), then as sent, then once more
    (a duplicate). The first datagram is kept for a replay after the session."""

    def __init__(self, target_port, tamper_at=50):
        self.target = ("127.0.0.1", target_port)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 << 20)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.5)
        self.port = self.sock.getsockname()[1]
        self.out = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.tamper_at = tamper_at
        self.first = None
        self.count = 0
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stopped.is_set():
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            if self.first is None:
                self.first = data
            if self.count == self.tamper_at:
                self.out.sendto(data[:-1] + bytes([data[-1] ^ 0xff]), self.target)
                self.out.sendto(data, self.target)
            self.out.sendto(data, self.target)
            self.count += 1

    def stop(self):
        self.stopped.set()
        self.thread.join()


def wait_status(server, predicate, what, timeout=TIMEOUT):
    """Polls server/status until predicate(result) holds (UDP is counted asynchronously)."""
    deadline = time.time() + timeout
    while True:
        status = server.call("server/status")
        if predicate(status):
            return status
        if time.time() > deadline:
            raise Failure(f"server/status never showed {what}: {json.dumps(status.get('receiver'))}")
        time.sleep(0.1)


def check_schema(instance, name):
    """Validates against the spec's component schema `name` when python3-jsonschema is here."""
    try:
        import jsonschema
    except ImportError:
        print(f"note python3-jsonschema is not installed: {name} not validated against the spec")
        return
    spec_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                             "protocol-spec", "openrpc.json")
    with open(spec_path, encoding="utf-8") as f:
        spec = json.load(f)
    schema = {"$ref": f"#/components/schemas/{name}", "components": spec["components"]}
    try:
        jsonschema.validate(instance, schema)
    except jsonschema.ValidationError as error:
        raise Failure(f"{name} does not match the spec: {error.message}\n{json.dumps(instance)}")


def oracle_panic(fixture):
    """crash's `sys` PANIC line of the fixture dump."""
    with open(os.path.join(fixture, "oracle", "crash", "sys.txt"), encoding="utf-8") as f:
        m = re.search(r'^\s*PANIC: "(.*)"\s*$', f.read(), re.M)
    check(m is not None, "oracle/crash/sys.txt has no PANIC line")
    return m.group(1)


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
    host_id = secrets.randbits(63) | 1
    with open(key_file, "w") as f:
        f.write(f"host_id=0x{host_id:016x}\nkey={secrets.token_hex(32)}\n")
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
        status = server.call("server/status")
        check_schema(status, "ServerStatus")
        receiver = status.get("receiver")
        check(receiver is not None and receiver["dumps"]["datagrams"] == 0 and
              receiver["dumps"]["rejected"]["total"] == 0,
              f"server/status before any datagram: {json.dumps(status)}")
        # Forged: the test host's id without its key, and a host id nobody knows.
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.sendto(forged_datagram(host_id), ("127.0.0.1", port))
            s.sendto(forged_datagram(host_id ^ 0x5a5a), ("127.0.0.1", port))
        status = wait_status(server, lambda st: st["receiver"]["dumps"]["datagrams"] >= 2,
                             "the two forged datagrams")
        rejected = status["receiver"]["dumps"]["rejected"]
        check(rejected["authFailed"] == 1 and rejected["unknownHost"] == 1 and
              rejected["total"] == 2 and status["receiver"]["dumps"]["accepted"] == 0,
              f"forged datagrams: {json.dumps(status['receiver'])}")
        print("ok   server/status counts the forged datagrams: authFailed 1, unknownHost 1")
        relay = Relay(port)
        # Paced so that the send lasts a few seconds: the ingest reports progress once a second.
        began = time.time()
        sender = subprocess.Popen([args.vmscope, "send", "--core", core, "--to",
                                   f"127.0.0.1:{relay.port}", "--key", key_file, "--rate", "8"],
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
        time.sleep(1)  # the relay forwards what is still in its socket
        relay.stop()
        check(relay.count > relay.tamper_at, f"the relay forwarded only {relay.count} datagrams")
        print(f"ok   vmscope send took {time.time() - began:.1f} s: {out.strip()}")

        received_id = None
        for index, client in enumerate(clients):
            def finished(notifications):
                return any(n.get("method") in ("receiver/dumpCompleted", "receiver/dumpFailed")
                           for n in notifications)
            client.wait_for(finished, f"client {index + 1}: the dump's end", timeout=300)
            with client.lock:
                # dumpTriaged may already follow (checked below): the ingest's events only.
                events = [n for n in client.notifications
                          if n.get("method", "").startswith("receiver/dump") and
                          n["method"] != "receiver/dumpTriaged"]
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
        completed_at = time.time()

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

        # The server triaged the received dump by itself; the catalog holds the panic title,
        # triage's title and the bucket id that triage/report gives the original dump.
        for index, client in enumerate(clients):
            triaged = client.wait_for(
                lambda ns: [n for n in ns if n.get("method") == "receiver/dumpTriaged"],
                f"client {index + 1}: receiver/dumpTriaged", timeout=300)
            check(len(triaged) == 1 and triaged[0]["params"]["receivedId"] == received_id,
                  f"client {index + 1}: {json.dumps(triaged)}")
            check_schema(triaged[0]["params"]["dump"], "ReceivedDump")
        expected = server.call("triage/report", {"dumpId": original["dumpId"]})
        entry = next(d for d in server.call("dump/list", {"source": "received"})["dumps"]
                     if d["receivedId"] == received_id)
        check_schema(entry, "ReceivedDump")
        panic = oracle_panic(fixture)
        check(entry.get("panicTitle") == panic,
              f"panicTitle {entry.get('panicTitle')!r}, crash says {panic!r}: {json.dumps(entry)}")
        check(entry.get("triageTitle") == expected["title"] and
              entry.get("bucketId") == expected["bucket"] and "triageReason" not in entry,
              f"dump/list: {json.dumps(entry)}; triage/report of the original: "
              f"title {expected['title']!r}, bucket {expected['bucket']!r}")
        check(re.fullmatch(r"[0-9a-f]{16}", entry["bucketId"]) is not None, entry["bucketId"])
        check(panic.split(": ", 1)[-1] in entry["triageTitle"],
              f"triage title {entry['triageTitle']!r} does not name crash's panic {panic!r}")
        print(f"ok   dump/list: panicTitle {entry['panicTitle']!r} (crash's), triageTitle "
              f"{entry['triageTitle']!r} and bucket {entry['bucketId']} (triage/report of the "
              f"original)")
        received_report = server.call("triage/report", {"dumpId": opened["dumpId"]})
        check(received_report["bucket"] == entry["bucketId"],
              f"triage/report of the received dump: {received_report['bucket']}")
        print("ok   triage/report of the received dump gives the same bucket")

        # A replay of the session's first datagram once the session is over (past the
        # receiver's 10 s window for late repeats of END).
        time.sleep(max(0.0, completed_at + 13 - time.time()))
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.sendto(relay.first, ("127.0.0.1", port))
        status = wait_status(server,
                             lambda st: st["receiver"]["dumps"]["rejected"]["replayed"] >= 1,
                             "the replayed datagram")
        check_schema(status, "ServerStatus")
        r = status["receiver"]
        d = r["dumps"]
        check(d["rejected"]["authFailed"] == 2 and d["rejected"]["unknownHost"] == 1 and
              d["rejected"]["replayed"] == 1 and d["rejected"]["total"] == 4,
              f"rejected: {json.dumps(d['rejected'])}")
        check(d["duplicates"] >= 1, f"duplicates: {json.dumps(d)}")
        check(d["accepted"] > 0 and d["bytes"] > 0 and d["datagrams"] >= d["accepted"],
              f"dumps: {json.dumps(d)}")
        check(d["sessions"] == {"open": 0, "started": 1, "completed": 1, "incomplete": 0,
                                "startErrors": 0}, f"sessions: {json.dumps(d['sessions'])}")
        check(r["logs"]["netconsoleLines"] >= 1 and r["catalog"]["dumps"] == 1 and
              r["triage"]["filed"] == 1 and r["triage"]["failed"] == 0,
              f"receiver: {json.dumps(r)}")
        print(f"ok   server/status: {d['accepted']} accepted, rejected {json.dumps(d['rejected'])}, "
              f"{d['duplicates']} duplicates, {d['bytes']} bytes, sessions {d['sessions']}")

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
    part_dump_without_vmlinux(args, workdir, received_id, hosts)
    return 0


def part_dump_without_vmlinux(args, workdir, received_id, hosts):
    """The received dump, copied into a second server's receiver directory, with a debug
    directory that holds no vmlinux: triage must fail and say why in the catalog."""
    dumps = os.path.join(workdir, "dumps-2")
    os.makedirs(dumps)
    shutil.copytree(os.path.join(workdir, "dumps", received_id), os.path.join(dumps, received_id))
    empty_debug = os.path.join(workdir, "empty-debug")
    os.makedirs(empty_debug)
    server = Server([args.vmscope, "serve", "--http", "127.0.0.1:0", "--receive", dumps,
                     "--netconsole-port", "off", "--syslog-port", "off", "--dump-port", "0",
                     "--hosts", hosts, "--debug-dir", empty_debug], expect=[("dumps", "udp")])
    try:
        status = wait_status(server, lambda st: st["receiver"]["triage"]["failed"] >= 1,
                             "the triage of the copied dump", timeout=300)
        check(status["receiver"]["triage"]["filed"] == 0, json.dumps(status["receiver"]))
        entry = server.call("dump/list", {"source": "received"})["dumps"]
        check(len(entry) == 1, f"dump/list: {json.dumps(entry)}")
        entry = entry[0]
        check_schema(entry, "ReceivedDump")
        reason = entry.get("triageReason", "")
        check(entry["status"] == "complete" and entry["bucketId"] is None and
              "triageTitle" not in entry and "no vmlinux" in reason and empty_debug in reason,
              f"dump/list: {json.dumps(entry)}")
        print(f"ok   without a matching vmlinux the catalog says why: {reason!r}")
    finally:
        server.stop()


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
