// Catches a render error in a view so the rest of the app stays usable: the user sees the
// error and its stack, never a blank screen.
import { Component, type ErrorInfo, type ReactNode } from "react";

interface State {
  error: Error | null;
}

export class ErrorBoundary extends Component<{ children: ReactNode; resetKey?: string }, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  override componentDidUpdate(previous: { resetKey?: string }): void {
    if (previous.resetKey !== this.props.resetKey && this.state.error) this.setState({ error: null });
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error("view crashed", error, info.componentStack);
  }

  override render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <div className="error-view" role="alert">
        <div className="error-title">this view failed to render (a bug in the web UI)</div>
        <div className="error-message">{error.message}</div>
        <pre className="error-stack">{error.stack}</pre>
      </div>
    );
  }
}
