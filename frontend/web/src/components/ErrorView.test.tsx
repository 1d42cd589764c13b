import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { RpcError, TransportError } from "../protocol/errors";
import { ErrorView } from "./ErrorView";

describe("ErrorView", () => {
  it("shows the code's name and number, the method, the message and every data fact", () => {
    const error = new RpcError("memory/read", -32011, "page excluded from the dump at 0xffff8d7700000000", {
      kind: "page-excluded",
      address: "0xffff8d7700000000",
      physical: "0x1000",
    });
    render(<ErrorView error={error} dumpId="dump-1" context="reading memory" />);
    expect(screen.getByRole("alert").textContent).toContain("reading memory: PageExcluded (-32011) from memory/read");
    expect(screen.getByText("page excluded from the dump at 0xffff8d7700000000")).toBeTruthy();
    expect(screen.getByText("page-excluded")).toBeTruthy();
    const link = screen.getByRole("link", { name: "0xffff8d7700000000" });
    expect(link.getAttribute("href")).toBe("/dumps/dump-1/memory?addr=0xffff8d7700000000");
    expect(screen.getByText("0x1000")).toBeTruthy();
  });

  it("points at the column of an expression error", () => {
    const error = new RpcError("value/evaluate", -32031, "expected an expression", { kind: "syntax-error", column: 6 });
    const { container } = render(<ErrorView error={error} expression="init_task." />);
    expect(container.querySelector(".error-caret")?.textContent).toBe("init_task.\n     ^");
  });

  it("names a code the spec lacks by its number", () => {
    render(<ErrorView error={new RpcError("x/y", -1, "odd")} />);
    expect(screen.getByRole("alert").textContent).toContain("error (-1) from x/y");
  });

  it("shows transport failures with the HTTP status and body", () => {
    render(<ErrorView error={new TransportError("dump/list", "HTTP 401 Unauthorized", 401, "token required")} />);
    expect(screen.getByRole("alert").textContent).toContain("transport error on dump/list");
    expect(screen.getByText("401")).toBeTruthy();
    expect(screen.getByText("token required")).toBeTruthy();
  });
});
