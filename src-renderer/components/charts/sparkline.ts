/** Sparkline geometry: values → an SVG path. Pure. */

/**
 * Path `d` for values drawn left to right over `width` × `height`, 0 at the bottom and `max` at the
 * top (values above are clamped). A null starts a new sub-path, so a gap in the data shows as a gap.
 * A lone point between two gaps is drawn as a short dash so it stays visible.
 */
export function sparklinePath(
  values: readonly (number | null)[],
  width: number,
  height: number,
  max = 100,
): string {
  const n = values.length;
  if (n === 0 || max <= 0) return '';
  const stepX = n > 1 ? width / (n - 1) : 0;
  const y = (v: number): number => {
    const clamped = Math.max(0, Math.min(max, v));
    return round(height - (clamped / max) * height);
  };
  const parts: string[] = [];
  let open = false;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null || v === undefined || !Number.isFinite(v)) {
      open = false;
      continue;
    }
    const x = round(i * stepX);
    if (!open) {
      const next = values[i + 1];
      if (next === null || next === undefined) {
        // An isolated point (e.g. the only minute a new server has): a dash of up to 4 px, drawn
        // leftwards at the right edge so it stays inside the box.
        const len = round(Math.max(2, Math.min(stepX || width, 4)));
        parts.push(`M${x + len <= width ? x : round(x - len)} ${y(v)}h${len}`);
      } else {
        parts.push(`M${x} ${y(v)}`);
      }
    } else {
      parts.push(`L${x} ${y(v)}`);
    }
    open = true;
  }
  return parts.join('');
}

/** Latest and highest value of a sparkline, or undefined when it holds no value. */
export function sparklineSummary(
  values: readonly (number | null)[],
): { latest: number; peak: number } | undefined {
  let latest: number | undefined;
  let peak = -Infinity;
  for (const v of values) {
    if (v === null || v === undefined || !Number.isFinite(v)) continue;
    latest = v;
    if (v > peak) peak = v;
  }
  return latest === undefined ? undefined : { latest, peak };
}

const round = (v: number): number => Math.round(v * 10) / 10;
