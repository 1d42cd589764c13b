// "Walk this list": follows a struct list_head's `next` pointers from the head until they
// come back to it, one value/evaluate per step, as list_for_each does. Bounded (at most
// `limit` entries) and loop-detecting (a `next` seen before that is not the head), so a
// corrupt list cannot run forever; stops when its AbortSignal fires.
import type { RpcClient } from "../protocol/client";

export interface ListWalk {
  entries: string[]; // addresses of the list_heads after the head, in order
  end: "head" | "limit" | "loop" | "null";
}

/** `container_of(…)` for one entry, when the list_head is member `member` of `containerType`. */
export function entryExpression(address: string, containerType: string | undefined, member: string | undefined): string {
  if (containerType && member && /^(struct|union) [A-Za-z_][A-Za-z0-9_]*$/.test(containerType)) {
    return `*container_of((struct list_head *)${address}, ${containerType}, ${member})`;
  }
  return `*(struct list_head *)${address}`;
}

export async function walkList(
  client: RpcClient,
  dumpId: string,
  head: string,
  options: { limit?: number; signal?: AbortSignal; onProgress?: (entries: string[]) => void } = {},
): Promise<ListWalk> {
  const limit = options.limit ?? 10_000;
  const normal = (a: string) => `0x${BigInt(a).toString(16)}`;
  const headAddress = normal(head);
  const seen = new Set<string>();
  const entries: string[] = [];
  let current = headAddress;
  for (;;) {
    const next = await client.call(
      "value/evaluate",
      { dumpId, expression: `((struct list_head *)${current})->next`, depth: 0 },
      options.signal ? { signal: options.signal } : {},
    );
    const display = next.value.display;
    if (!/^0x[0-9a-f]+$/i.test(display) || BigInt(display) === 0n) return { entries, end: "null" };
    const address = normal(display);
    if (address === headAddress) return { entries, end: "head" };
    if (seen.has(address)) return { entries, end: "loop" };
    if (entries.length >= limit) return { entries, end: "limit" };
    seen.add(address);
    entries.push(address);
    if (entries.length % 50 === 0) options.onProgress?.([...entries]);
    current = address;
  }
}
