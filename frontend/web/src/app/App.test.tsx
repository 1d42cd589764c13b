import { act, fireEvent, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { at, fakeApi, renderWithApi } from "../test/fakeApi";
import { App } from "./App";

const handlers = {
  "dump/list": () => ({
    dumps: [
      {
        dumpId: "dump-1",
        core: "/var/crash/vmcore",
        format: "kdump",
        openedAt: "2026-11-29T15:00:00Z",
        release: "6.1.0-57-cloud-amd64",
        kernelOffset: "0x24200000",
        fiveLevelPaging: false,
      },
    ],
  }),
  "tasks/list": () => ({ tasks: [] }),
};

describe("App", () => {
  it("sends / to the dumps page", async () => {
    at("/");
    renderWithApi(<App />, fakeApi(handlers));
    await waitFor(() => expect(window.location.pathname).toBe("/dumps"));
    await screen.findByText("dump-1");
  });

  it("says when no view exists at a URL instead of a blank page", () => {
    at("/nope/x");
    renderWithApi(<App />, fakeApi(handlers));
    expect(screen.getByRole("alert").textContent).toContain("no view at /nope/x");
  });

  it("shows the dump's facts and switches views with one key, not while typing", async () => {
    at("/dumps/dump-1");
    renderWithApi(<App />, fakeApi(handlers));
    await screen.findByText("6.1.0-57-cloud-amd64");
    act(() => {
      fireEvent.keyDown(window, { key: "t" });
    });
    expect(window.location.pathname).toBe("/dumps/dump-1/tasks");
    const filter = await screen.findByLabelText("filter tasks");
    act(() => {
      fireEvent.keyDown(window, { key: "/" });
    });
    expect(document.activeElement).toBe(filter);
    act(() => {
      fireEvent.keyDown(filter, { key: "l" });
    });
    expect(window.location.pathname).toBe("/dumps/dump-1/tasks");
    act(() => {
      fireEvent.keyDown(window, { key: "m" });
    });
    expect(window.location.pathname).toBe("/dumps/dump-1/memory");
  });

  it("warns when the server has no such dump open", async () => {
    at("/dumps/dump-9/log");
    renderWithApi(<App />, fakeApi(handlers));
    await screen.findByText(/this server has no open dump dump-9/);
  });
});
