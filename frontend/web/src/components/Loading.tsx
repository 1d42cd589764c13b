// Renders a Loadable: a quiet "loading…" line, the precise error, or the data.
import type { ReactNode } from "react";
import type { Loadable } from "../app/api";
import { ErrorView } from "./ErrorView";

interface Props<T> {
  state: Loadable<T>;
  what: string;
  dumpId?: string;
  children: (data: T) => ReactNode;
}

export function Loading<T>({ state, what, dumpId, children }: Props<T>) {
  switch (state.status) {
    case "idle":
      return null;
    case "loading":
      return <div className="loading">loading {what}…</div>;
    case "error":
      return <ErrorView error={state.error} context={`loading ${what}`} {...(dumpId ? { dumpId } : {})} />;
    case "ok":
      return <>{children(state.data)}</>;
  }
}
