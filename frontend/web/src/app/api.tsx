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
): Loadable<ResultOf<M>> & { reload: () => void } {
  const { client } = useApi();
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
    client.call(method, current, { signal: controller.signal }).then(
      (data) => {
        if (!controller.signal.aborted) setState({ status: "ok", data });
      },
      (error: unknown) => {
        if (controller.signal.aborted || isCancelled(error)) return;
        setState({ status: "error", error: asError(error) });
      },
    );
    return () => controller.abort();
  }, [client, method, key, generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
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
