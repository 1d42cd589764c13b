// LSP base-protocol framing, as `vmscope serve --stdio` speaks it: each message is a header
// block ("Content-Length: N\r\n", optionally "Content-Type: …\r\n", then "\r\n") and N bytes
// of UTF-8 JSON. The decoder takes stdout in whatever chunks the pipe gives and yields whole
// messages; a malformed header or an oversized length is an error, never a guess.

export function encodeMessage(message: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(message), "utf8");
  return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, "ascii"), body]);
}

export class FramingError extends Error {}

const HEADER_END = Buffer.from("\r\n\r\n", "ascii");
/** Longest header block accepted before its end is seen. */
const MAX_HEADER_BYTES = 4096;

export class MessageDecoder {
  private buffer: Buffer = Buffer.alloc(0);

  constructor(private readonly maxMessageBytes = 256 * 1024 * 1024) {}

  /** Adds a chunk; returns the messages it completed (parsed JSON), in order. */
  push(chunk: Buffer): unknown[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const messages: unknown[] = [];
    for (;;) {
      const end = this.buffer.indexOf(HEADER_END);
      if (end < 0) {
        if (this.buffer.length > MAX_HEADER_BYTES) throw new FramingError(`no end of header within ${MAX_HEADER_BYTES} bytes`);
        return messages;
      }
      const length = contentLength(this.buffer.subarray(0, end).toString("ascii"));
      if (length > this.maxMessageBytes) throw new FramingError(`message of ${length} bytes exceeds ${this.maxMessageBytes}`);
      const start = end + HEADER_END.length;
      if (this.buffer.length < start + length) return messages;
      const body = this.buffer.subarray(start, start + length).toString("utf8");
      this.buffer = this.buffer.subarray(start + length);
      try {
        messages.push(JSON.parse(body));
      } catch (error) {
        throw new FramingError(`message body is not JSON: ${(error as Error).message}`);
      }
    }
  }
}

function contentLength(header: string): number {
  let length: number | undefined;
  for (const line of header.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon < 0) throw new FramingError(`malformed header line: ${JSON.stringify(line)}`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === "content-length") {
      if (!/^\d{1,12}$/.test(value)) throw new FramingError(`bad Content-Length: ${JSON.stringify(value)}`);
      length = Number(value);
    }
  }
  if (length === undefined) throw new FramingError("header without Content-Length");
  return length;
}
