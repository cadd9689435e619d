// Number formatting identical to the core's (core/src/report/units.rs), so the page reads like
// the CLI's reports.

/** Bytes in SI units (`667.7 MB`), as dive and `docker images` print them. */
export function bytes(n: number): string {
  const units = ["B", "kB", "MB", "GB", "TB", "PB"];
  if (n < 1000) return `${n} B`;
  let v = n;
  let unit = 0;
  while (v >= 1000 && unit < units.length - 1) {
    v /= 1000;
    unit += 1;
  }
  return `${v.toFixed(1)} ${units[unit]}`;
}

/** A signed change (`+1.2 MB`, `-300 B`, `±0 B`). */
export function signedBytes(change: number): string {
  if (change === 0) return "±0 B";
  return `${change > 0 ? "+" : "-"}${bytes(Math.abs(change))}`;
}

/** A ratio as a percentage with one decimal (`99.7 %`). */
export function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(1)} %`;
}

/** Thousands separators for counts. */
export function count(n: number): string {
  return n.toLocaleString("en-US");
}
