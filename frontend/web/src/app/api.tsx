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
 * Calls `method` with `params` whenever `key` changes (null: don't call), cancelling the
 * previous call. `reload` calls again with the same params.
 */
export function useRpc<M extends ApiMethodName>(
  method: M,
  params: ParamsOf<M> | null,
  key: string,
  options: { cache?: boolean } = {},
): Loadable<ResultOf<M>> & { reload: () => void } {
  const { client, cache } = useApi();
  const useCache = options.cache === true && cache !== undefined;
  const [state, setState] = useState<Loadable<ResultOf<M>>>({ status: params ? "loading" : "idle" });
  const [generation, setGeneration] = useState(0);
  const paramsRef = useRef(params);
  paramsRef.current = params;

  useEffect(() => {
    const current = paramsRef.current;
    if (!current) {
      setState({ status: "idle" });
      return;
    }
    const controller = new AbortController();
    setState({ status: "loading" });
    let request: Promise<ResultOf<M>>;
    const cacheKey = `${method} ${JSON.stringify(current)}`;
    if (useCache && cache) {
      // Shared by every view that asks, so it is not cancelled when one of them goes away.
      let shared = cache.get(cacheKey) as Promise<ResultOf<M>> | undefined;
      if (!shared) {
        shared = client.call(method, current);
        cache.set(cacheKey, shared);
        shared.catch(() => cache.delete(cacheKey));
      }
      request = shared;
    } else {
      request = client.call(method, current, { signal: controller.signal });
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
  }, [client, cache, useCache, method, key, generation]);

  const reload = useCallback(() => {
    if (useCache) cache?.delete(`${method} ${JSON.stringify(paramsRef.current)}`);
    setGeneration((g) => g + 1);
  }, [cache, useCache, method]);
  return { ...state, reload };
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
