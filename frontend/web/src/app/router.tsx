// A deliberately tiny client-side router over the History API: every view of the app is a URL
// (a CI bot links to /dumps/dump-1/tasks/180), and the whole of routing is path patterns with
// `:params` plus the query string. The server answers any extension-less path with
// index.html, so deep links load directly.
import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent, type ReactNode } from "react";

export interface Location {
  pathname: string;
  search: string;
}

const listeners = new Set<() => void>();
let snapshot: Location | undefined;

function readLocation(): Location {
  const { pathname, search } = window.location;
  if (!snapshot || snapshot.pathname !== pathname || snapshot.search !== search) snapshot = { pathname, search };
  return snapshot;
}

function notify(): void {
  for (const listener of [...listeners]) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (listeners.size === 1) window.addEventListener("popstate", notify);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) window.removeEventListener("popstate", notify);
  };
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const current = window.location.pathname + window.location.search;
  if (to === current) return;
  if (options.replace) window.history.replaceState(null, "", to);
  else window.history.pushState(null, "", to);
  notify();
}

export function useLocation(): Location {
  return useSyncExternalStore(subscribe, readLocation, readLocation);
}

export function useQuery(): URLSearchParams {
  const { search } = useLocation();
  return new URLSearchParams(search);
}

/** Params of `pattern` ("/dumps/:id/tasks/:pid") in `pathname`, or null when it does not match. */
export function matchPath(pattern: string, pathname: string): Record<string, string> | null {
  const want = pattern.split("/").filter(Boolean);
  const have = pathname.replace(/\/+$/, "").split("/").filter(Boolean);
  if (want.length !== have.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const h = have[i]!;
    if (w.startsWith(":")) {
      try {
        params[w.slice(1)] = decodeURIComponent(h);
      } catch {
        return null;
      }
    } else if (w !== h) {
      return null;
    }
  }
  return params;
}

/** Builds "/dumps/dump-1/explore?expr=…" with each segment and query value encoded. */
export function href(segments: (string | number)[], query?: Record<string, string | number | undefined>): string {
  const path = "/" + segments.map((s) => encodeURIComponent(String(s))).join("/");
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined && value !== "") q.set(key, String(value));
  const text = q.toString();
  return text ? `${path}?${text}` : path;
}

interface LinkProps extends Omit<AnchorHTMLAttributes<HTMLAnchorElement>, "href"> {
  to: string;
  replace?: boolean;
  children?: ReactNode;
}

/** An <a> that navigates in-app on a plain click, and is a normal link otherwise (new tab…). */
export function Link({ to, replace, onClick, children, ...rest }: LinkProps) {
  const handle = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    if (rest.target && rest.target !== "_self") return;
    event.preventDefault();
    navigate(to, replace ? { replace } : {});
  };
  return (
    <a href={to} onClick={handle} {...rest}>
      {children}
    </a>
  );
}
