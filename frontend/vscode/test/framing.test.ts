import { describe, expect, it } from "vitest";
import { encodeMessage, FramingError, MessageDecoder } from "../src/stdio/framing";

describe("LSP framing", () => {
  it("round-trips messages split at every byte", () => {
    const messages = [{ jsonrpc: "2.0", id: 1, result: { comm: "swapper/0 ü" } }, { jsonrpc: "2.0", method: "$/progress", params: {} }];
    const bytes = Buffer.concat(messages.map(encodeMessage));
    const decoder = new MessageDecoder();
    const got: unknown[] = [];
    for (let i = 0; i < bytes.length; i++) got.push(...decoder.push(bytes.subarray(i, i + 1)));
    expect(got).toEqual(messages);
  });

  it("counts Content-Length in bytes, not characters", () => {
    const frame = encodeMessage({ text: "ü€" }).toString("latin1");
    expect(frame).toMatch(/^Content-Length: 16\r\n\r\n/);
  });

  it("accepts a Content-Type header and any header case", () => {
    const body = '{"id":1}';
    const decoder = new MessageDecoder();
    expect(decoder.push(Buffer.from(`content-length: ${body.length}\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n${body}`))).toEqual([{ id: 1 }]);
  });

  it("refuses a header without a length, a bad length, an oversized message and a non-JSON body", () => {
    expect(() => new MessageDecoder().push(Buffer.from("Content-Type: x\r\n\r\n{}"))).toThrow(FramingError);
    expect(() => new MessageDecoder().push(Buffer.from("Content-Length: -3\r\n\r\n{}"))).toThrow(/bad Content-Length/);
    expect(() => new MessageDecoder(10).push(Buffer.from("Content-Length: 11\r\n\r\n"))).toThrow(/exceeds/);
    expect(() => new MessageDecoder().push(Buffer.from("Content-Length: 2\r\n\r\n{x"))).toThrow(/not JSON/);
    expect(() => new MessageDecoder().push(Buffer.alloc(5000, 65))).toThrow(/no end of header/);
  });
});
