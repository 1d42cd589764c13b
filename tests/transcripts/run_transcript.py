#!/usr/bin/env python3
"""Runs one transcript against the real `vmscope serve` and checks every answer.

A transcript is a .jsonl file: one JSON object per line, a step; blank lines and lines
starting with '#' are comments. The first step is {"serve": [ARGS...]}: the server is started
as `vmscope serve ARGS...` ("{dir}" in an argument is the transcript's directory). With
--stdio the steps talk LSP-framed JSON-RPC over its stdin/stdout; otherwise it must be given
--http 127.0.0.1:0 and the steps talk HTTP to the port it prints.

Transcripts on the real fixture dumps name them by placeholders, replaced in every step:
"{fixture}" (the scenario directory: VMSCOPE_FIXTURES, default
/var/cache/vmscope/fixtures/current), "{vmlinux}", "{vmlinux_dir}" and "{debug_dir}" (from
its manifest.json). A missing fixture fails the transcript.

Expectations are patterns: an object matches when each of its keys is present with a matching
value (other keys are allowed), an array when it has the same length and each element
matches, "<any>" matches anything, other values must be equal.

Every reply must be expected: at the end the server is stopped (stdin closed, or SIGTERM for
HTTP), must exit 0, and any message or event nobody expected fails the transcript — that is
how "exactly one reply per request" is checked.

stdio steps:
  {"send": VALUE, "chunk": N}     frame and send VALUE (N: write N bytes at a time)
  {"send_text": "..."}            frame and send the text as it is (malformed JSON)
  {"send_raw": "..."}             write the text with no framing (bad headers)
  {"send_oversized": N}           frame and send an N-byte body
  {"expect": PATTERN}             the next message from the server
  {"expect_unordered": [P, ...]}  the next len(P) messages, in any order
  {"close_stdin": true}           EOF for the server
  {"signal": "SIGTERM"}           send a signal
  {"expect_exit": 0}              the server exits with this status within 20 s
HTTP steps:
  {"post": VALUE, "headers": {...}, "content_type": "...",
   "status": 200, "expect": PATTERN, "async": "name"}   POST /rpc (async: answer awaited later)
  {"post_text": "...", ...}       POST the text as it is (malformed JSON)
  {"post_oversized": N, "status": 413, "expect": PATTERN}
  {"await": "name", "status": 200, "expect": PATTERN}
  {"get": "/path", "headers": {...}, "status": 200, "body_contains": "...", "expect": PATTERN}
  {"events": "name", "headers": {...}, "status": 200}   open GET /events (waits for it to open)
  {"expect_event": PATTERN, "client": "name"}           the client's next event
  {"expect_stderr": "text"}       checked at the end
Prints "transcript: N passed, 0 failed" style summary; exits 1 on the first failure.
"""

import argparse
import http.client
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time

TIMEOUT = 20.0


class Failure(Exception):
    pass


def matches(pattern, value):
    if pattern == "<any>":
        return True
    if isinstance(pattern, dict):
        return isinstance(value, dict) and all(
            k in value and matches(v, value[k]) for k, v in pattern.items())
    if isinstance(pattern, list):
        return (isinstance(value, list) and len(pattern) == len(value)
                and all(matches(p, v) for p, v in zip(pattern, value)))
    if isinstance(pattern, bool) or isinstance(value, bool):
        return type(pattern) is type(value) and pattern == value
    return pattern == value


def check(pattern, value, what):
    if not matches(pattern, value):
        raise Failure(f"{what}:\n  expected {json.dumps(pattern)}\n  got      {json.dumps(value)}")


def encode(value):
    return json.dumps(value, separators=(",", ":"))


def frame(body: bytes) -> bytes:
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


class StdioServer:
    def __init__(self, argv):
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.messages = queue.Queue()
        self.stderr = []
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read_stdout(self):
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    return
                line = line.rstrip(b"\r\n")
                if not line:
                    break
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value.strip())
            if length is None:
                self.messages.put(("bad-frame", None))
                return
            body = out.read(length)
            try:
                self.messages.put(("message", json.loads(body)))
            except ValueError:
                self.messages.put(("bad-json", body))

    def _read_stderr(self):
        for line in self.proc.stderr:
            self.stderr.append(line.decode(errors="replace"))

    def write(self, data: bytes, chunk=None):
        if chunk:
            for i in range(0, len(data), chunk):
                self.proc.stdin.write(data[i:i + chunk])
                self.proc.stdin.flush()
                time.sleep(0.002)
        else:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()

    def next_message(self, timeout=TIMEOUT):
        try:
            kind, value = self.messages.get(timeout=timeout)
        except queue.Empty:
            raise Failure(f"no message from the server within {timeout} s")
        if kind != "message":
            raise Failure(f"the server wrote an unreadable message ({kind}): {value!r}")
        return value


class EventClient:
    """GET /events on its own connection; data events go to a queue."""

    def __init__(self, port, headers):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.conn.request("GET", "/events", headers=headers)
        self.response = self.conn.getresponse()
        self.status = self.response.status
        self.events = queue.Queue()
        self.opened = threading.Event()
        if self.status == 200:
            threading.Thread(target=self._read, daemon=True).start()
        else:
            self.response.read()

    def _read(self):
        data = []
        try:
            for raw in self.response:
                line = raw.decode().rstrip("\r\n")
                if line.startswith("retry:"):
                    self.opened.set()
                elif line.startswith("data:"):
                    data.append(line[5:].lstrip(" "))
                elif line == "" and data:
                    self.events.put(json.loads("\n".join(data)))
                    data = []
        except Exception:  # noqa: BLE001 - any end of the stream ends this reader
            pass  # closed by us at the end, or by the server stopping

    def close(self):
        # Only shut the socket down: the reader thread still owns the response object.
        try:
            self.conn.sock.shutdown(2)
        except (OSError, AttributeError):
            pass


class HttpServer:
    def __init__(self, argv):
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.stderr = []
        self.port = None
        deadline = time.time() + TIMEOUT
        while time.time() < deadline:
            line = self.proc.stderr.readline().decode(errors="replace")
            if not line:
                break
            self.stderr.append(line)
            m = re.search(r"listening on http://[^ ]*:(\d+)/", line)
            if m:
                self.port = int(m.group(1))
                break
        if self.port is None:
            self.proc.kill()
            raise Failure("the server did not print its URL:\n" + "".join(self.stderr))
        threading.Thread(target=self._read_stderr, daemon=True).start()
        self.pending = {}
        self.clients = {}

    def _read_stderr(self):
        for line in self.proc.stderr:
            self.stderr.append(line.decode(errors="replace"))

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        conn.close()
        return response.status, data


def check_http_answer(step, status, body, what):
    if "status" in step and status != step["status"]:
        raise Failure(f"{what}: HTTP status {status}, expected {step['status']}; body {body[:500]!r}")
    if "body_contains" in step and step["body_contains"].encode() not in body:
        raise Failure(f"{what}: body lacks {step['body_contains']!r}: {body[:500]!r}")
    if "expect" in step:
        try:
            value = json.loads(body)
        except ValueError:
            raise Failure(f"{what}: body is not JSON: {body[:500]!r}")
        check(step["expect"], value, what)


def run_stdio(server, steps):
    for number, step in steps:
        what = f"step {number} {encode(step)[:120]}"
        if "send" in step:
            server.write(frame(encode(step["send"]).encode()), step.get("chunk"))
        elif "send_text" in step:
            server.write(frame(step["send_text"].encode()))
        elif "send_raw" in step:
            server.write(step["send_raw"].encode())
        elif "send_oversized" in step:
            size = step["send_oversized"]
            server.write(frame(b'"' + b"x" * (size - 2) + b'"'))
        elif "expect" in step:
            check(step["expect"], server.next_message(), what)
        elif "expect_unordered" in step:
            patterns = list(step["expect_unordered"])
            got = [server.next_message() for _ in patterns]
            for value in got:
                for i, p in enumerate(patterns):
                    if matches(p, value):
                        del patterns[i]
                        break
                else:
                    raise Failure(f"{what}: unexpected {encode(value)}; still expecting "
                                  f"{encode(patterns)}")
        elif "close_stdin" in step:
            server.proc.stdin.close()
        elif "signal" in step:
            server.proc.send_signal(getattr(signal, step["signal"]))
        elif "expect_exit" in step:
            wait_exit(server.proc, step["expect_exit"], what)
        elif "expect_stderr" in step:
            pass
        else:
            raise Failure(f"{what}: unknown step")


def run_http(server, steps):
    for number, step in steps:
        what = f"step {number} {encode(step)[:120]}"
        if "post" in step or "post_text" in step or "post_oversized" in step:
            headers = dict(step.get("headers", {}))
            headers.setdefault("Content-Type", step.get("content_type", "application/json"))
            if "post_oversized" in step:
                body = b'"' + b"x" * (step["post_oversized"] - 2) + b'"'
            elif "post_text" in step:
                body = step["post_text"].encode()
            else:
                body = encode(step["post"]).encode()
            if "async" in step:
                result = {}

                def post(body=body, headers=headers, result=result):
                    result["answer"] = server.request("POST", "/rpc", body, headers)

                thread = threading.Thread(target=post, daemon=True)
                thread.start()
                server.pending[step["async"]] = (thread, result)
            else:
                status, data = server.request("POST", "/rpc", body, headers)
                check_http_answer(step, status, data, what)
        elif "await" in step:
            thread, result = server.pending.pop(step["await"])
            thread.join(TIMEOUT)
            if "answer" not in result:
                raise Failure(f"{what}: no answer within {TIMEOUT} s")
            check_http_answer(step, *result["answer"], what)
        elif "get" in step:
            status, data = server.request("GET", step["get"], None, step.get("headers", {}))
            check_http_answer(step, status, data, what)
        elif "events" in step:
            client = EventClient(server.port, step.get("headers", {}))
            if client.status != step.get("status", 200):
                raise Failure(f"{what}: GET /events status {client.status}")
            if client.status == 200:
                if not client.opened.wait(TIMEOUT):
                    raise Failure(f"{what}: the event stream did not open")
                server.clients[step["events"]] = client
        elif "expect_event" in step:
            client = server.clients[step["client"]]
            try:
                event = client.events.get(timeout=TIMEOUT)
            except queue.Empty:
                raise Failure(f"{what}: no event within {TIMEOUT} s")
            check(step["expect_event"], event, what)
        elif "expect_stderr" in step:
            pass
        else:
            raise Failure(f"{what}: unknown step")


def wait_exit(proc, expected, what):
    try:
        code = proc.wait(TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise Failure(f"{what}: the server did not exit within {TIMEOUT} s")
    if code != expected:
        raise Failure(f"{what}: exit status {code}, expected {expected}")


FIXTURE_PLACEHOLDERS = ("{fixture}", "{vmlinux}", "{vmlinux_dir}", "{debug_dir}")


def fixture_values():
    directory = os.environ.get("VMSCOPE_FIXTURES", "/var/cache/vmscope/fixtures/current")
    try:
        with open(os.path.join(directory, "manifest.json")) as f:
            kernel = json.load(f)["kernel"]
    except (OSError, ValueError, KeyError) as e:
        raise Failure(f"the transcript needs the fixture at {directory}: {e}")
    return {"{fixture}": directory, "{vmlinux}": kernel["vmlinux"],
            "{vmlinux_dir}": os.path.dirname(kernel["vmlinux"]),
            "{debug_dir}": kernel["debug_dir"]}


def load(path):
    steps = []
    values = None
    with open(path) as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if any(p in line for p in FIXTURE_PLACEHOLDERS):
                values = values or fixture_values()
                for placeholder, value in values.items():
                    line = line.replace(placeholder, value)
            try:
                steps.append((number, json.loads(line)))
            except ValueError as e:
                raise Failure(f"{path}:{number}: not JSON: {e}")
    if not steps or "serve" not in steps[0][1]:
        raise Failure(f"{path}: the first step must be {{\"serve\": [...]}}")
    return steps


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--vmscope", required=True)
    parser.add_argument("transcript")
    args = parser.parse_args()
    name = os.path.basename(args.transcript)
    server = None
    try:
        steps = load(args.transcript)
        directory = os.path.dirname(os.path.abspath(args.transcript))
        serve_args = [a.replace("{dir}", directory) for a in steps[0][1]["serve"]]
        argv = [args.vmscope, "serve"] + serve_args
        stdio = "--stdio" in serve_args
        server = StdioServer(argv) if stdio else HttpServer(argv)
        if stdio:
            run_stdio(server, steps[1:])
            if server.proc.poll() is None:
                server.proc.stdin.close()
            wait_exit(server.proc, 0, "at the end")
        else:
            run_http(server, steps[1:])
            for client in server.clients.values():
                client.close()
            server.proc.send_signal(signal.SIGTERM)
            wait_exit(server.proc, 0, "after SIGTERM")
        time.sleep(0.1)  # let the reader threads see the last bytes
        # Nothing may be left over: every message and event was expected.
        if stdio:
            while not server.messages.empty():
                kind, value = server.messages.get()
                raise Failure(f"an unexpected message after the last step: {value!r}")
        else:
            for client_name, client in server.clients.items():
                if not client.events.empty():
                    raise Failure(f"client {client_name} got an unexpected event: "
                                  f"{encode(client.events.get())}")
            if server.pending:
                raise Failure(f"posts never awaited: {sorted(server.pending)}")
        stderr = "".join(server.stderr)
        for _, step in steps:
            if "expect_stderr" in step and step["expect_stderr"] not in stderr:
                raise Failure(f"stderr lacks {step['expect_stderr']!r}:\n{stderr}")
    except Failure as failure:
        print(f"{name}: FAILED: {failure}")
        if server is not None:
            if server.proc.poll() is None:
                server.proc.kill()
            print("server stderr:\n" + "".join(server.stderr))
        print("transcript: 0 passed, 1 failed")
        return 1
    print(f"{name}: ok ({len(steps) - 1} steps)")
    print("transcript: 1 passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
