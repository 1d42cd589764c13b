// The app's connection to the server, shared through context: one RpcClient and one event
// channel for all views (tests pass fakes), plus `useRpc`, the hook views load data with.
import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from "react";
import { RpcClient, type ParamsOf, type ResultOf } from "../protocol/client";
import { asError, isCancelled } from "../protocol/errors";
import { EventChannel, type ConnectionState, type NotificationListener } from "../protocol/events";
import type { ApiMethodName } from "../protocol/methods";

export interface Api {
  client: RpcClient;
  events: EventChannel;
  /**
   * Results of calls that cannot change while a dump is open (its tasks, its log as read
   * at open time…), by method and params, so going back and forth between views does not
   * fetch 10,000 tasks again. Only calls made with `{ cache: true }` use it.
   */
  cache?: Map<string, Promise<unknown>>;
}

export function createApi(client = new RpcClient(), events = new EventChannel()): Api {
  return { client, events, cache: new Map() };
}

const ApiContext = createContext<Api | null>(null);

export function ApiProvider({ api, children }: { api: Api; children: ReactNode }) {
  return <ApiContext.Provider value={api}>{children}</ApiContext.Provider>;
}

export function useApi(): Api {
  const api = useContext(ApiContext);
  if (!api) throw new Error("useApi outside ApiProvider");
  return api;
}

export type Loadable<T> =
  | { status: "idle" }
  | { status: "loading" }
  | { status: "ok"; data: T }
  | { status: "error"; error: Error };

/**
 * Runs `load` whenever `key` changes (null: don't load), cancelling the previous load
 * through its AbortSignal. With `cacheKey`, the result is shared through the Api's cache
 * (and not cancelled when one view goes away). `reload` loads again (dropping the cache).
 */
export function useLoader<T>(
  key: string | null,
  load: (client: RpcClient, signal: AbortSignal | undefined) => Promise<T>,
  options: { cacheKey?: string } = {},
): Loadable<T> & { reload: () => void } {
  const { client, cache } = useApi();
  const [state, setState] = useState<Loadable<T>>({ status: key !== null ? "loading" : "idle" });
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const cacheKey = cache ? options.cacheKey : undefined;

  useEffect(() => {
    if (key === null) {
      setState({ status: "idle" });
      return;
    }
    const controller = new AbortController();
    setState({ status: "loading" });
    let request: Promise<T>;
    if (cacheKey !== undefined && cache) {
      let shared = cache.get(cacheKey) as Promise<T> | undefined;
      if (!shared) {
        shared = loadRef.current(client, undefined);
        cache.set(cacheKey, shared);
        shared.catch(() => cache.delete(cacheKey));
      }
      request = shared;
    } else {
      request = loadRef.current(client, controller.signal);
    }
    request.then(
      (data) => {
        if (!controller.signal.aborted) setState({ status: "ok", data });
      },
      (error: unknown) => {
        if (controller.signal.aborted || isCancelled(error)) return;
        setState({ status: "error", error: asError(error) });
      },
    );
    return () => controller.abort();
  }, [client, cache, cacheKey, key, generation]);

  const reload = useCallback(() => {
    if (cacheKey !== undefined) cache?.delete(cacheKey);
    setGeneration((g) => g + 1);
  }, [cache, cacheKey]);
  return { ...state, reload };
}

/**
 * Calls `method` with `params` whenever `key` changes (null params: don't call). With
 * `cache`, results for the same method and params are shared (for dump facts that cannot
 * change while the dump is open).
 */
export function useRpc<M extends ApiMethodName>(
  method: M,
  params: ParamsOf<M> | null,
  key: string,
  options: { cache?: boolean } = {},
): Loadable<ResultOf<M>> & { reload: () => void } {
  const cacheKey = options.cache && params ? `${method} ${JSON.stringify(params)}` : undefined;
  return useLoader(
    params ? `${method} ${key}` : null,
    (client, signal) => client.call(method, params!, signal ? { signal } : {}),
    cacheKey !== undefined ? { cacheKey } : {},
  );
}

export function useNotifications(listener: NotificationListener): void {
  const { events } = useApi();
  const ref = useRef(listener);
  ref.current = listener;
  useEffect(() => events.subscribe((n) => ref.current(n)), [events]);
}

export function useConnectionState(): ConnectionState {
  const { events } = useApi();
  const [state, setState] = useState<ConnectionState>(events.state);
  useEffect(() => events.onState(setState), [events]);
  return state;
}
