// Windowed rendering for long lists (10,000 tasks, the whole kernel log): rows have one fixed
// height, so the visible range is arithmetic on scrollTop, and only those rows (plus a few
// either side) are in the DOM. Keyboard: the owner keeps a selected index and this component
// scrolls it into view.
import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from "react";

interface Props {
  count: number;
  rowHeight: number;
  renderRow: (index: number) => ReactNode;
  /** Row to keep visible (the keyboard selection). */
  activeIndex?: number | undefined;
  /** Scroll so this row is at the top, once per change of the value. */
  scrollToIndex?: number | undefined;
  overscan?: number;
  className?: string;
  /** Height used before the container is measured (and in DOMs without layout). */
  fallbackHeight?: number;
  ariaLabel?: string;
  role?: string;
}

/** The rows [first, last) to render for a viewport. Exported for tests. */
export function visibleRange(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  count: number,
  overscan: number,
): [number, number] {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(count, Math.ceil((scrollTop + viewportHeight) / rowHeight) + overscan);
  return [first, Math.max(first, last)];
}

export function VirtualList({
  count,
  rowHeight,
  renderRow,
  activeIndex,
  scrollToIndex,
  overscan = 8,
  className,
  fallbackHeight = 600,
  ariaLabel,
  role,
}: Props) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(fallbackHeight);

  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measure = () => setHeight(element.clientHeight > 0 ? element.clientHeight : fallbackHeight);
    measure();
    if (typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, [fallbackHeight]);

  useEffect(() => {
    const element = ref.current;
    if (!element || activeIndex === undefined || activeIndex < 0) return;
    const top = activeIndex * rowHeight;
    if (top < element.scrollTop) element.scrollTop = top;
    else if (top + rowHeight > element.scrollTop + height) element.scrollTop = top + rowHeight - height;
    setScrollTop(element.scrollTop);
  }, [activeIndex, rowHeight, height]);

  useEffect(() => {
    const element = ref.current;
    if (!element || scrollToIndex === undefined || scrollToIndex < 0) return;
    element.scrollTop = scrollToIndex * rowHeight;
    setScrollTop(element.scrollTop);
  }, [scrollToIndex, rowHeight]);

  // A shrinking list (a filter) must not leave the viewport past its end.
  const maxTop = Math.max(0, count * rowHeight - height);
  const effectiveTop = Math.min(scrollTop, maxTop);
  const [first, last] = visibleRange(effectiveTop, height, rowHeight, count, overscan);
  const rows: ReactNode[] = [];
  for (let i = first; i < last; i++) {
    rows.push(
      <div key={i} className="vrow" style={{ position: "absolute", top: i * rowHeight, height: rowHeight, left: 0, right: 0 }}>
        {renderRow(i)}
      </div>,
    );
  }
  return (
    <div
      ref={ref}
      className={`vlist ${className ?? ""}`}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      aria-label={ariaLabel}
      role={role}
      data-count={count}
    >
      <div style={{ position: "relative", height: count * rowHeight }}>{rows}</div>
    </div>
  );
}
