// The method table the client is typed with: the generated one (from the spec), plus —
// only until the spec defines them — the methods issue 6 names, with the minimum fields it
// lists and nothing more (everything beyond them optional).
//
// A method the spec defines always wins (`Omit<PendingMethods, keyof Methods>`), so this file
// never overrides the spec; `npm run check-client` fails while a pending entry is also in the
// spec, so each stopgap is deleted as soon as the real definition lands.
import type { Methods } from "./generated";

interface PendingMethods {
  // Empty: the spec defines every method the UI uses.
}

/** The names listed in PendingMethods, for check-client. */
export const PENDING_METHOD_NAMES: readonly string[] = [];

export type ApiMethods = Methods & Omit<PendingMethods, keyof Methods>;
export type ApiMethodName = keyof ApiMethods;
