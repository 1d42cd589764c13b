// A hex view of kernel virtual memory (memory/read), 16 bytes a row with ASCII, a page at a
// time; [ and ] (or the buttons) move by a page, and the address is in the URL. The
// physical address comes from memory/translate. A read that fails shows the precise error
// (page excluded, not mapped at level N) instead of bytes.
import { useEffect, useState, type FormEvent } from "react";
import { useRpc } from "../app/api";
import { href, navigate, useQuery } from "../app/router";
import { ErrorView } from "../components/ErrorView";
import { Loading } from "../components/Loading";
import { parseAddress, toHex } from "../format";
import { isTypingTarget } from "./DumpLayout";

const DEFAULT_LENGTH = 256;
const MAX_LENGTH = 65536;

export interface HexRow {
  address: string;
  hex: string[];
  ascii: string;
}

/** Rows of 16 bytes for `data` (two hex digits a byte) read at `start`. */
export function hexRows(start: bigint, data: string): HexRow[] {
  const rows: HexRow[] = [];
  const bytes = data.length / 2;
  for (let offset = 0; offset < bytes; offset += 16) {
    const hex: string[] = [];
    let ascii = "";
    for (let i = offset; i < Math.min(bytes, offset + 16); i++) {
      const pair = data.slice(i * 2, i * 2 + 2);
      hex.push(pair);
      const code = parseInt(pair, 16);
      ascii += code >= 0x20 && code < 0x7f ? String.fromCharCode(code) : ".";
    }
    rows.push({ address: (start + BigInt(offset)).toString(16).padStart(16, "0"), hex, ascii });
  }
  return rows;
}

export function MemoryView({ dumpId }: { dumpId: string }) {
  const query = useQuery();
  const addrText = query.get("addr") ?? "";
  const lengthText = query.get("len");
  const length = Math.min(MAX_LENGTH, Math.max(16, Number(lengthText) || DEFAULT_LENGTH));
  const address = parseAddress(addrText);
  const [text, setText] = useState(addrText);
  useEffect(() => setText(addrText), [addrText]);

  const hex = address !== undefined ? toHex(address) : undefined;
  const read = useRpc("memory/read", hex ? { dumpId, address: hex, length } : null, `${dumpId}/${hex}/${length}`);
  const translation = useRpc("memory/translate", hex ? { dumpId, address: hex } : null, `${dumpId}/${hex}`);

  const go = (next: bigint) => {
    const clamped = next < 0n ? 0n : next > 0xffffffffffffffffn ? 0xffffffffffffffffn : next;
    navigate(href(["dumps", dumpId, "memory"], { addr: toHex(clamped), len: length === DEFAULT_LENGTH ? undefined : length }));
  };

  useEffect(() => {
    if (address === undefined) return;
    const onKey = (event: KeyboardEvent) => {
      if (isTypingTarget(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key === "]") go(address + BigInt(length));
      if (event.key === "[") go(address - BigInt(length));
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const parsed = parseAddress(text);
    if (parsed !== undefined) go(parsed);
    else navigate(href(["dumps", dumpId, "memory"], { addr: text.trim() }));
  };

  return (
    <div className="memory">
      <form className="toolbar" onSubmit={submit}>
        <input
          data-search
          className="filter mono"
          aria-label="address"
          placeholder="virtual address: 0xffffffff81000000  (/ to focus, [ ] page)"
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
        <button type="submit">read</button>
        {address !== undefined ? (
          <>
            <button type="button" onClick={() => go(address - BigInt(length))} title="previous page ([)">
              ◀ −{length}
            </button>
            <button type="button" onClick={() => go(address + BigInt(length))} title="next page (])">
              +{length} ▶
            </button>
          </>
        ) : null}
        {translation.status === "ok" ? (
          <span className="muted mono">
            physical {translation.data.physical} (page {translation.data.pageSize} B)
          </span>
        ) : null}
      </form>
      {addrText && address === undefined ? (
        <ErrorView error={new Error(`"${addrText}" is not an address (0x… hex or decimal, 64 bits)`)} context="reading the URL" />
      ) : null}
      {address === undefined && !addrText ? <p className="muted">Type a kernel virtual address.</p> : null}
      <Loading state={read} what={`${length} bytes at ${hex ?? ""}`} dumpId={dumpId}>
        {(data) => (
          <pre className="hexdump" aria-label="hex dump">
            {hexRows(BigInt(data.address), data.data).map((row) => (
              <div key={row.address} className="hex-row">
                <span className="hex-addr">{row.address}</span>
                {"  "}
                <span className="hex-bytes">
                  {row.hex.slice(0, 8).join(" ")}
                  {"  "}
                  {row.hex.slice(8).join(" ")}
                </span>
                {" ".repeat(Math.max(0, 3 * (16 - row.hex.length)))}
                {"  "}
                <span className="hex-ascii">{row.ascii}</span>
              </div>
            ))}
          </pre>
        )}
      </Loading>
    </div>
  );
}
