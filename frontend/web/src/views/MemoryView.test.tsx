import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { at, fakeApi, renderWithApi } from "../test/fakeApi";
import { hexRows, MemoryView } from "./MemoryView";

describe("hexRows", () => {
  it("makes 16-byte rows with printable ASCII", () => {
    const rows = hexRows(0xffffffffa6c1b5e0n, "737761707065722f3000000000000000" + "41ff");
    expect(rows).toEqual([
      { address: "ffffffffa6c1b5e0", hex: "73 77 61 70 70 65 72 2f 30 00 00 00 00 00 00 00".split(" "), ascii: "swapper/0......." },
      { address: "ffffffffa6c1b5f0", hex: ["41", "ff"], ascii: "A." },
    ]);
  });
});

describe("MemoryView", () => {
  it("reads the URL's address and shows bytes and the physical address", async () => {
    at("/dumps/d1/memory?addr=0xFFFFFFFFA6C1B5E0");
    const api = fakeApi({
      "memory/read": (p) => ({ address: p.address, data: "737761707065722f30000000000000" + "00" }),
      "memory/translate": (p) => ({ address: p.address, physical: "0x1601b5e0", pageSize: 4096 }),
    });
    renderWithApi(<MemoryView dumpId="d1" />, api);
    await screen.findByText("swapper/0.......");
    expect(api.calls.find((c) => c.method === "memory/read")?.params).toEqual({
      dumpId: "d1",
      address: "0xffffffffa6c1b5e0",
      length: 256,
    });
    await screen.findByText("physical 0x1601b5e0 (page 4096 B)");
  });

  it("says precisely why an address cannot be read", async () => {
    at("/dumps/d1/memory?addr=0x10");
    const api = fakeApi({
      "memory/read": () => {
        throw { code: -32010, message: "PML4E not present for 0x10", data: { kind: "address-not-mapped", address: "0x10", level: 4 } };
      },
      "memory/translate": () => {
        throw { code: -32010, message: "PML4E not present for 0x10" };
      },
    });
    renderWithApi(<MemoryView dumpId="d1" />, api);
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("AddressNotMapped (-32010) from memory/read");
    expect(alert.textContent).toContain("PML4E not present for 0x10");
    expect(alert.textContent).toContain("level4");
  });

  it("refuses text that is not an address without calling the server", async () => {
    at("/dumps/d1/memory?addr=init_task");
    const api = fakeApi({});
    renderWithApi(<MemoryView dumpId="d1" />, api);
    expect((await screen.findByRole("alert")).textContent).toContain('"init_task" is not an address');
    expect(api.calls.filter((c) => c.method.startsWith("memory/"))).toEqual([]);
  });
});
