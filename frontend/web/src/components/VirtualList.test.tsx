import { render } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { VirtualList, visibleRange } from "./VirtualList";

describe("visibleRange", () => {
  it("covers the viewport plus overscan, clamped to the list", () => {
    expect(visibleRange(0, 100, 20, 1000, 2)).toEqual([0, 7]);
    expect(visibleRange(1000, 100, 20, 1000, 2)).toEqual([48, 57]);
    expect(visibleRange(19990, 100, 20, 1000, 2)).toEqual([997, 1000]);
    expect(visibleRange(0, 100, 20, 0, 2)).toEqual([0, 0]);
  });
});

describe("VirtualList", () => {
  it("puts only the visible rows of 10,000 in the DOM", () => {
    const { container } = render(
      <VirtualList count={10_000} rowHeight={20} fallbackHeight={400} overscan={5} renderRow={(i) => <span>row {i}</span>} />,
    );
    const rows = container.querySelectorAll(".vrow");
    expect(rows.length).toBe(25);
    expect(rows[0]?.textContent).toBe("row 0");
    const spacer = container.querySelector(".vlist > div") as HTMLElement;
    expect(spacer.style.height).toBe("200000px");
  });

  it("renders the rows around the scroll position", () => {
    const { container } = render(
      <VirtualList count={10_000} rowHeight={20} fallbackHeight={400} overscan={0} scrollToIndex={5000} renderRow={(i) => <span>row {i}</span>} />,
    );
    const texts = [...container.querySelectorAll(".vrow")].map((r) => r.textContent);
    expect(texts[0]).toBe("row 5000");
    expect(texts).toContain("row 5019");
    expect(texts).not.toContain("row 4999");
  });
});
