/** A segmented "1 h | 24 h" switch: buttons with aria-pressed in a labelled group. */
export function RangeSwitch<R extends string>({
  label,
  ranges,
  value,
  onChange,
  text,
  testId,
}: {
  label: string;
  ranges: readonly R[];
  value: R;
  onChange(range: NoInfer<R>): void;
  text(range: NoInfer<R>): string;
  testId: string;
}) {
  return (
    <div className="segmented" role="group" aria-label={label} data-testid={testId}>
      {ranges.map((r) => (
        <button
          key={r}
          type="button"
          aria-pressed={value === r}
          className={value === r ? 'active' : ''}
          data-range={r}
          onClick={() => onChange(r)}
        >
          {text(r)}
        </button>
      ))}
    </div>
  );
}
