// Formatting shared by the views: sizes, kernel timestamps, hex.

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === undefined || bytes === null || !Number.isFinite(bytes)) return "";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** A printk timestamp as the kernel prints it: "[   12.345678]". */
export function formatKernelTime(ns: number | null | undefined): string {
  if (ns === undefined || ns === null || !Number.isFinite(ns)) return "";
  const seconds = Math.floor(ns / 1e9);
  const micros = Math.floor((ns % 1e9) / 1e3);
  return `${String(seconds).padStart(5, " ")}.${String(micros).padStart(6, "0")}`;
}

export function formatDuration(ns: number | null | undefined): string {
  if (ns === undefined || ns === null || !Number.isFinite(ns)) return "";
  let s = Math.floor(ns / 1e9);
  const days = Math.floor(s / 86400);
  s -= days * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const hms = `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`;
  return days > 0 ? `${days} days, ${hms}` : hms;
}

/** Parses "0xffff…" or decimal text to a BigInt, or undefined. */
export function parseAddress(text: string): bigint | undefined {
  const t = text.trim().toLowerCase();
  if (!/^(0x[0-9a-f]{1,16}|[0-9]{1,20})$/.test(t)) return undefined;
  const value = BigInt(t);
  return value <= 0xffffffffffffffffn ? value : undefined;
}

/** An address as the protocol's HexU64: lower-case, no padding. */
export function toHex(value: bigint): string {
  return `0x${value.toString(16)}`;
}

export const LOG_LEVEL_NAMES = ["emerg", "alert", "crit", "err", "warn", "notice", "info", "debug"] as const;

export function levelName(level: number | undefined): string {
  return level !== undefined && level >= 0 && level < LOG_LEVEL_NAMES.length ? LOG_LEVEL_NAMES[level]! : String(level ?? "");
}
