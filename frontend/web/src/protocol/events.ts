// The push channel: one EventSource on GET /events, whose every `data:` is a JSON-RPC
// notification, fanned out to any number of listeners in the app. EventSource reconnects by
// itself; listeners also hear the connection state so the UI can say "live" or "offline".
import type { ServerNotifications } from "./generated";

export type ConnectionState = "connecting" | "open" | "closed";

export interface Notification {
  method: string;
  params: unknown;
  /** The SSE event id (the server's sequence number), when sent. */
  eventId?: string;
}

export type NotificationListener = (notification: Notification) => void;
export type StateListener = (state: ConnectionState) => void;

/** Narrows a notification to one the spec defines, typing its params. */
export function isNotification<N extends keyof ServerNotifications>(
  notification: Notification,
  method: N,
): notification is Notification & { method: N; params: ServerNotifications[N] } {
  return notification.method === method;
}

/** Parses one SSE `data` payload; undefined when it is not a JSON-RPC notification. */
export function parseNotification(data: string, eventId?: string): Notification | undefined {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== "object") return undefined;
  const { method, params } = value as { method?: unknown; params?: unknown };
  if (typeof method !== "string") return undefined;
  return eventId ? { method, params, eventId } : { method, params };
}

type EventSourceFactory = (url: string) => EventSource;

export class EventChannel {
  private source: EventSource | undefined;
  private readonly listeners = new Set<NotificationListener>();
  private readonly stateListeners = new Set<StateListener>();
  private currentState: ConnectionState = "closed";

  constructor(
    private readonly url = "/events",
    private readonly factory: EventSourceFactory = (u) => new EventSource(u),
  ) {}

  get state(): ConnectionState {
    return this.currentState;
  }

  /** Opens the stream on first use; returns the function that unsubscribes. */
  subscribe(listener: NotificationListener): () => void {
    this.listeners.add(listener);
    this.ensureOpen();
    return () => {
      this.listeners.delete(listener);
    };
  }

  onState(listener: StateListener): () => void {
    this.stateListeners.add(listener);
    listener(this.currentState);
    return () => {
      this.stateListeners.delete(listener);
    };
  }

  close(): void {
    this.source?.close();
    this.source = undefined;
    this.setState("closed");
  }

  private ensureOpen(): void {
    if (this.source) return;
    let source: EventSource;
    try {
      source = this.factory(this.url);
    } catch {
      this.setState("closed");
      return;
    }
    this.source = source;
    this.setState("connecting");
    source.onopen = () => this.setState("open");
    source.onerror = () => {
      // CLOSED means the browser gave up (e.g. HTTP 401/503); otherwise it is retrying.
      this.setState(source.readyState === 2 ? "closed" : "connecting");
    };
    source.onmessage = (event: MessageEvent<string>) => {
      const notification = parseNotification(event.data, event.lastEventId || undefined);
      if (!notification) return;
      for (const listener of [...this.listeners]) listener(notification);
    };
  }

  private setState(state: ConnectionState): void {
    if (state === this.currentState) return;
    this.currentState = state;
    for (const listener of [...this.stateListeners]) listener(state);
  }
}
