// Entry point: one RPC client and one event channel for the whole app.
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { ApiProvider, createApi } from "./app/api";
import { App } from "./app/App";
import "./styles.css";

const api = createApi();

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <ApiProvider api={api}>
      <App />
    </ApiProvider>
  </StrictMode>,
);
