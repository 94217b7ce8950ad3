/**
 * A JSON editor with syntax highlighting and no library: the real control is a <textarea> (labelled,
 * focusable, native undo and selection), laid exactly over a <pre> that shows the same text as
 * colored tokens (CSS classes only: the CSP forbids inline styles). The textarea's own text is
 * transparent, its caret is not. Both scroll together.
 */
import { memo, useRef, type ReactNode } from 'react';
import { tokenizeJson } from './json-text';

export const JsonHighlight = memo(function JsonHighlight({ text }: { text: string }) {
  return (
    <>
      {tokenizeJson(text).map((tok, i) =>
        tok.type === 'space' || tok.type === 'punct' ? (
          tok.text
        ) : (
          <span key={i} className={`tok-${tok.type}`}>
            {tok.text}
          </span>
        ),
      )}
    </>
  );
});

export function JsonEditor({
  id,
  label,
  value,
  onChange,
  invalid,
  describedBy,
  rows = 12,
  testId,
  hideLabel,
  readOnly,
  children,
}: {
  id: string;
  label: string;
  value: string;
  onChange?: (text: string) => void;
  invalid?: boolean;
  describedBy?: string;
  rows?: number;
  testId?: string;
  hideLabel?: boolean;
  readOnly?: boolean;
  children?: ReactNode;
}) {
  const pre = useRef<HTMLPreElement>(null);
  return (
    <div className="json-editor-field">
      <label htmlFor={id} className={hideLabel ? 'visually-hidden' : 'form-label'}>
        {label}
      </label>
      <div className={`json-editor${invalid ? ' json-editor-invalid' : ''}`} data-rows={rows}>
        <pre ref={pre} className="json-highlight" aria-hidden="true">
          <JsonHighlight text={value} />
          {/* A trailing newline in the textarea needs a line here too. */}
          {'\n'}
        </pre>
        <textarea
          id={id}
          className={`json-textarea rows-${Math.min(Math.max(rows, 3), 24)}`}
          data-testid={testId}
          rows={rows}
          wrap="off"
          spellCheck={false}
          autoCapitalize="off"
          autoComplete="off"
          autoCorrect="off"
          readOnly={readOnly}
          value={value}
          aria-invalid={invalid ? true : undefined}
          aria-describedby={describedBy}
          onChange={(e) => onChange?.(e.target.value)}
          onScroll={(e) => {
            if (pre.current) {
              pre.current.scrollTop = e.currentTarget.scrollTop;
              pre.current.scrollLeft = e.currentTarget.scrollLeft;
            }
          }}
        />
      </div>
      {children}
    </div>
  );
}

/** Read-only highlighted JSON (revision contents, diffs). */
export function JsonView({ value, testId }: { value: unknown; testId?: string }) {
  const text = JSON.stringify(value, null, 2) ?? 'null';
  return (
    <pre className="json-view" data-testid={testId}>
      <JsonHighlight text={text} />
    </pre>
  );
}
