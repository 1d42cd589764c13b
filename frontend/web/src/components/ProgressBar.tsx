// A labelled progress bar for $/progress work (a dump being opened or indexed): determinate
// when the server sends a percentage, an indeterminate stripe otherwise.
interface Props {
  label: string;
  message?: string | undefined;
  percentage?: number | undefined;
  done?: boolean;
  failed?: boolean;
}

export function ProgressBar({ label, message, percentage, done, failed }: Props) {
  const known = typeof percentage === "number";
  const value = failed ? percentage : done ? 100 : known ? Math.max(0, Math.min(100, percentage)) : undefined;
  const status = failed ? "progress-failed" : done ? "progress-done" : "";
  return (
    <div className={`progress ${status}`}>
      <div className="progress-label">
        <span>{label}</span>
        <span className="progress-detail">
          {message ?? ""}
          {value !== undefined ? ` ${value}%` : ""}
        </span>
      </div>
      <div
        className={`progress-track ${value === undefined && !failed && !done ? "progress-indeterminate" : ""}`}
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={value}
      >
        <div className="progress-fill" style={{ width: failed ? "100%" : value === undefined ? "30%" : `${value}%` }} />
      </div>
    </div>
  );
}
