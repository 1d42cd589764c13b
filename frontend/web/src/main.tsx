// Entry point: one RPC client and one event channel for the whole app.
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { ApiProvider } from "./app/api";
import { App } from "./app/App";
import { RpcClient } from "./protocol/client";
import { EventChannel } from "./protocol/events";
import "./styles.css";

const api = { client: new RpcClient(), events: new EventChannel() };

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <ApiProvider api={api}>
      <App />
    </ApiProvider>
  </StrictMode>,
);
