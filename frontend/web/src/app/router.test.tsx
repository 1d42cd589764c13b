import { act, fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { href, Link, matchPath, navigate, useLocation } from "./router";
import { at } from "../test/fakeApi";

function Where() {
  const { pathname, search } = useLocation();
  return <div data-testid="where">{pathname + search}</div>;
}

describe("router", () => {
  it("matches patterns and decodes params", () => {
    expect(matchPath("/dumps/:id/tasks/:pid", "/dumps/dump-1/tasks/180")).toEqual({ id: "dump-1", pid: "180" });
    expect(matchPath("/dumps/:id", "/dumps/a%2Fb/")).toEqual({ id: "a/b" });
    expect(matchPath("/dumps/:id", "/dumps/dump-1/tasks")).toBeNull();
    expect(matchPath("/dumps", "/dumpsx")).toBeNull();
    expect(matchPath("/dumps/:id", "/dumps/%E0%A4%A")).toBeNull();
  });

  it("builds encoded hrefs and drops empty query values", () => {
    expect(href(["dumps", "dump-1", "explore"], { expr: "*(struct task_struct *)0xffff8d77026aa0c0", x: "" })).toBe(
      "/dumps/dump-1/explore?expr=*%28struct+task_struct+*%290xffff8d77026aa0c0",
    );
    expect(href(["dumps", "a b", "tasks", 0])).toBe("/dumps/a%20b/tasks/0");
  });

  it("navigates in-app on a plain click and re-renders subscribers", () => {
    at("/dumps");
    render(
      <>
        <Link to="/dumps/d/log">log</Link>
        <Where />
      </>,
    );
    expect(screen.getByTestId("where").textContent).toBe("/dumps");
    expect(fireEvent.click(screen.getByText("log"))).toBe(false); // default prevented
    expect(window.location.pathname).toBe("/dumps/d/log");
    expect(screen.getByTestId("where").textContent).toBe("/dumps/d/log");
  });

  it("leaves modified clicks (new tab) to the browser", () => {
    at("/dumps");
    render(<Link to="/dumps/d/log">log</Link>);
    expect(fireEvent.click(screen.getByText("log"), { ctrlKey: true })).toBe(true); // not prevented
  });

  it("follows back/forward (popstate)", () => {
    at("/dumps");
    render(<Where />);
    act(() => navigate("/dumps/x"));
    expect(screen.getByTestId("where").textContent).toBe("/dumps/x");
    window.history.replaceState(null, "", "/dumps/y?q=1");
    act(() => {
      window.dispatchEvent(new PopStateEvent("popstate"));
    });
    expect(screen.getByTestId("where").textContent).toBe("/dumps/y?q=1");
  });
});
