// Pure helpers for dumps the receiver takes in over the network (receiver/dump* notifications).
import type { ReceivedDumpEvent, ReceivedDumpProgress } from "../protocol/generated";

/**
 * How far a received dump has come, 0..100, or undefined before the sender's metadata said
 * how many pages it will account for. Stored, all-zero and unreadable pages all count: the
 * sender accounts for every dumpable page as one of the three.
 */
export function receivedPercentage(progress: ReceivedDumpProgress): number | undefined {
  if (progress.dumpable <= 0) return undefined;
  const done = progress.received + progress.zero + progress.unavailable;
  return Math.max(0, Math.min(100, Math.floor((done * 100) / progress.dumpable)));
}

export type ArrivalMethod = "receiver/dumpStarted" | "receiver/dumpProgress" | "receiver/dumpCompleted" | "receiver/dumpFailed";

/** The latest thing heard about one dump arriving. */
export interface Arrival {
  event: ReceivedDumpEvent;
  method: ArrivalMethod;
}

/** Whether the arrival has ended (completed or failed), as far as the events tell. */
export function arrivalEnded(arrival: Arrival): boolean {
  return arrival.method === "receiver/dumpCompleted" || arrival.method === "receiver/dumpFailed";
}
