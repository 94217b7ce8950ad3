/** A horizontal usage bar with the figure next to it; green → amber → red by threshold. */
export function meterLevel(percent: number): 'ok' | 'warn' | 'crit' {
  return percent >= 90 ? 'crit' : percent >= 75 ? 'warn' : 'ok';
}

export function Meter({
  percent,
  label,
  text,
  compact = false,
}: {
  percent: number;
  /** Accessible name of the meter. */
  label: string;
  /** Figure shown next to the bar (already formatted). */
  text: string;
  compact?: boolean;
}) {
  const clamped = Math.max(0, Math.min(100, percent));
  return (
    <span className={`meter meter-${meterLevel(clamped)}${compact ? ' meter-compact' : ''}`}>
      <span
        className="meter-track"
        role="meter"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(clamped)}
        aria-valuetext={text}
      >
        <span className="meter-fill" style={{ width: `${clamped}%` }} />
      </span>
      <span className="meter-text">{text}</span>
    </span>
  );
}
