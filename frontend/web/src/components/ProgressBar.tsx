// A labelled progress bar for $/progress work (a dump being opened or indexed): determinate
// when the server sends a percentage, an indeterminate stripe otherwise.
interface Props {
  label: string;
  message?: string | undefined;
  percentage?: number | undefined;
  done?: boolean;
}

export function ProgressBar({ label, message, percentage, done }: Props) {
  const known = typeof percentage === "number";
  const value = done ? 100 : known ? Math.max(0, Math.min(100, percentage)) : undefined;
  return (
    <div className={`progress ${done ? "progress-done" : ""}`}>
      <div className="progress-label">
        <span>{label}</span>
        <span className="progress-detail">
          {message ?? ""}
          {value !== undefined ? ` ${value}%` : ""}
        </span>
      </div>
      <div
        className={`progress-track ${value === undefined ? "progress-indeterminate" : ""}`}
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={value}
      >
        <div className="progress-fill" style={{ width: value === undefined ? "30%" : `${value}%` }} />
      </div>
    </div>
  );
}
