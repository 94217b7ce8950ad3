/**
 * A form generated from an agent's JSON Schema, editing its configuration override. Supported:
 * objects with `properties` (nested as fieldsets), strings (enum → select; `format` → input type),
 * numbers/integers (minimum/maximum), booleans (checkbox), arrays of primitives (rows to add and
 * remove), and objects whose `additionalProperties` are strings (key/value rows). Anything else
 * falls back to a small JSON editor for that value. `title`/`description` become labels and help.
 *
 * An empty input means "not set in the override" (the key is removed, so profiles show through).
 * Errors from the hub's validation are shown next to the field with the matching JSON pointer;
 * errors below a fallback editor or a key/value map are shown on that whole field.
 */
import { useId, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import {
  formatJson,
  getAt,
  isJsonObject,
  parseJson,
  pointerJoin,
  pointerTokens,
  type JsonObject,
} from './json-text';
import { JsonEditor } from './JsonEditor';

export type Schema = Record<string, unknown>;
export type ErrorMap = ReadonlyMap<string, string[]>;

type Primitive = 'string' | 'number' | 'integer' | 'boolean';

function typeOf(schema: Schema): string | undefined {
  const t = schema.type;
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) {
    const rest = t.filter((x) => x !== 'null');
    return rest.length === 1 ? (rest[0] as string) : undefined;
  }
  if (isJsonObject(schema.properties)) return 'object';
  if (Array.isArray(schema.enum)) return 'string';
  return undefined;
}

const isPrimitive = (t: string | undefined): t is Primitive =>
  t === 'string' || t === 'number' || t === 'integer' || t === 'boolean';

/** The kind of control a schema gets. */
export function controlFor(schema: Schema): 'object' | 'enum' | Primitive | 'list' | 'map' | 'json' {
  const t = typeOf(schema);
  if (Array.isArray(schema.enum) && schema.enum.every((v) => typeof v === 'string')) return 'enum';
  if (t === 'object') {
    const ap = schema.additionalProperties;
    if (isJsonObject(schema.properties)) return 'object';
    if (isJsonObject(ap) && typeOf(ap) === 'string' && !Array.isArray(ap.enum)) return 'map';
    return 'json';
  }
  if (t === 'array') {
    const items = isJsonObject(schema.items) ? schema.items : undefined;
    return items && isPrimitive(typeOf(items)) && !Array.isArray(items.enum) ? 'list' : 'json';
  }
  if (isPrimitive(t)) return t;
  return 'json';
}

function inputTypeForFormat(format: unknown): string {
  switch (format) {
    case 'email':
      return 'email';
    case 'uri':
    case 'url':
      return 'url';
    case 'date':
      return 'date';
    case 'time':
      return 'time';
    default:
      return 'text';
  }
}

/** Errors exactly at `pointer`, or at or below it when `deep`. */
function errorsAt(errors: ErrorMap, pointer: string, deep: boolean): string[] {
  const out: string[] = [];
  for (const [path, messages] of errors) {
    if (path === pointer || (deep && path.startsWith(`${pointer}/`))) out.push(...messages);
  }
  return out;
}

interface FieldProps {
  schema: Schema;
  pointer: string;
  name: string;
  value: unknown;
  required: boolean;
  errors: ErrorMap;
  onChange: (pointer: string, value: unknown) => void;
}

export function SchemaForm({
  schema,
  value,
  errors,
  onChange,
}: {
  schema: Schema;
  value: JsonObject;
  errors: ErrorMap;
  onChange: (pointer: string, value: unknown) => void;
}) {
  return (
    <div className="schema-form" data-testid="schema-form">
      <ObjectFields schema={schema} pointer="" value={value} errors={errors} onChange={onChange} />
    </div>
  );
}

function ObjectFields({
  schema,
  pointer,
  value,
  errors,
  onChange,
}: {
  schema: Schema;
  pointer: string;
  value: unknown;
  errors: ErrorMap;
  onChange: (pointer: string, value: unknown) => void;
}) {
  const props = isJsonObject(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
  return (
    <>
      {Object.entries(props).map(([key, sub]) =>
        isJsonObject(sub) ? (
          <SchemaField
            key={key}
            schema={sub}
            name={key}
            pointer={pointerJoin(pointer, key)}
            value={isJsonObject(value) ? value[key] : undefined}
            required={required.includes(key)}
            errors={errors}
            onChange={onChange}
          />
        ) : null,
      )}
    </>
  );
}

function FieldShell({
  id,
  label,
  help,
  errors,
  children,
  pointer,
  required,
  labelFor = true,
}: {
  id: string;
  label: string;
  help?: string;
  errors: string[];
  children: ReactNode;
  pointer: string;
  required: boolean;
  labelFor?: boolean;
}) {
  const { t } = useTranslation();
  return (
    <div
      className="form-field schema-field"
      data-pointer={pointer}
      data-invalid={errors.length > 0 || undefined}
    >
      {labelFor ? (
        <label htmlFor={id} className="form-label">
          {label}
          {required && <span className="required-mark"> {t('editor.required')}</span>}
        </label>
      ) : (
        <span className="form-label" id={`${id}-label`}>
          {label}
          {required && <span className="required-mark"> {t('editor.required')}</span>}
        </span>
      )}
      {children}
      {help && (
        <p id={`${id}-help`} className="muted small field-help">
          {help}
        </p>
      )}
      {errors.length > 0 && (
        <ul
          id={`${id}-error`}
          className="field-error field-error-list"
          data-testid="field-error"
          data-pointer={pointer}
        >
          {errors.map((m, i) => (
            <li key={i}>{m}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

function describedBy(id: string, help: string | undefined, errors: string[]): string | undefined {
  const ids = [help ? `${id}-help` : '', errors.length ? `${id}-error` : ''].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

function SchemaField(props: FieldProps) {
  const { t } = useTranslation();
  const { schema, pointer, name, value, required, errors, onChange } = props;
  const id = `f${useId().replace(/:/g, '')}`;
  const kind = controlFor(schema);
  const label = typeof schema.title === 'string' ? schema.title : name;
  const help = typeof schema.description === 'string' ? schema.description : undefined;
  const deep = kind === 'json' || kind === 'map' || kind === 'list';
  const fieldErrors = errorsAt(errors, pointer, deep);
  const invalid = fieldErrors.length > 0 ? true : undefined;
  const desc = describedBy(id, help, fieldErrors);
  const shell = (children: ReactNode, labelFor = true) => (
    <FieldShell
      id={id}
      label={label}
      help={help}
      errors={fieldErrors}
      pointer={pointer}
      required={required}
      labelFor={labelFor}
    >
      {children}
    </FieldShell>
  );

  switch (kind) {
    case 'object':
      return (
        <fieldset className="schema-fieldset" data-pointer={pointer}>
          <legend>{label}</legend>
          {help && <p className="muted small field-help">{help}</p>}
          {errorsAt(errors, pointer, false).length > 0 && (
            <ul className="field-error field-error-list" data-testid="field-error" data-pointer={pointer}>
              {errorsAt(errors, pointer, false).map((m, i) => (
                <li key={i}>{m}</li>
              ))}
            </ul>
          )}
          <ObjectFields schema={schema} pointer={pointer} value={value} errors={errors} onChange={onChange} />
        </fieldset>
      );
    case 'enum': {
      const options = schema.enum as string[];
      const current = typeof value === 'string' ? value : '';
      return shell(
        <select
          id={id}
          className="select input"
          value={current}
          data-field={pointer}
          aria-invalid={invalid}
          aria-describedby={desc}
          onChange={(e) => onChange(pointer, e.target.value === '' ? undefined : e.target.value)}
        >
          <option value="">
            {typeof schema.default === 'string'
              ? t('editor.notSetDefault', { value: schema.default })
              : t('editor.notSet')}
          </option>
          {/* A value the schema does not list stays visible (and is reported by the validation). */}
          {current && !options.includes(current) && <option value={current}>{current}</option>}
          {options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>,
      );
    }
    case 'string':
      return shell(
        <input
          id={id}
          className="input"
          type={inputTypeForFormat(schema.format)}
          value={typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value)}
          placeholder={typeof schema.default === 'string' ? schema.default : t('editor.notSet')}
          maxLength={typeof schema.maxLength === 'number' ? schema.maxLength : undefined}
          data-field={pointer}
          aria-invalid={invalid}
          aria-describedby={desc}
          onChange={(e) => onChange(pointer, e.target.value === '' ? undefined : e.target.value)}
        />,
      );
    case 'number':
    case 'integer':
      return shell(
        <NumberInput
          id={id}
          pointer={pointer}
          schema={schema}
          value={value}
          integer={kind === 'integer'}
          invalid={invalid}
          describedBy={desc}
          onChange={onChange}
        />,
      );
    case 'boolean':
      return (
        <FieldShell
          id={id}
          label={label}
          help={help}
          errors={fieldErrors}
          pointer={pointer}
          required={required}
          labelFor={false}
        >
          <div className="check-row">
            <label className="form-check-inline">
              <input
                id={id}
                type="checkbox"
                checked={value === true}
                data-field={pointer}
                aria-invalid={invalid}
                aria-describedby={desc}
                aria-labelledby={`${id}-label`}
                onChange={(e) => onChange(pointer, e.target.checked)}
              />
              <span className="muted small">
                {value === undefined ? t('editor.notSet') : value === true ? t('editor.yes') : t('editor.no')}
              </span>
            </label>
            {value !== undefined && (
              <button
                type="button"
                className="btn btn-small btn-ghost"
                onClick={() => onChange(pointer, undefined)}
              >
                {t('editor.unset')}
              </button>
            )}
          </div>
        </FieldShell>
      );
    case 'list':
      return shell(
        <ListRows
          id={id}
          pointer={pointer}
          label={label}
          itemSchema={schema.items as Schema}
          value={value}
          invalid={invalid}
          onChange={onChange}
        />,
        false,
      );
    case 'map':
      return shell(
        <MapRows
          id={id}
          pointer={pointer}
          label={label}
          value={value}
          invalid={invalid}
          onChange={onChange}
        />,
        false,
      );
    default:
      return (
        <JsonSubEditor
          id={id}
          pointer={pointer}
          label={label}
          help={help}
          value={value}
          errors={fieldErrors}
          required={required}
          onChange={onChange}
        />
      );
  }
}

function NumberInput({
  id,
  pointer,
  schema,
  value,
  integer,
  invalid,
  describedBy: desc,
  onChange,
}: {
  id: string;
  pointer: string;
  schema: Schema;
  value: unknown;
  integer: boolean;
  invalid?: true;
  describedBy?: string;
  onChange: (pointer: string, value: unknown) => void;
}) {
  const { t } = useTranslation();
  // Keep what is typed ("1." or "-") while it is not a number yet.
  const [draft, setDraft] = useState<{ text: string; for: unknown } | null>(null);
  const shown = draft && draft.for === value ? draft.text : typeof value === 'number' ? String(value) : '';
  return (
    <input
      id={id}
      className="input input-number"
      type="number"
      inputMode={integer ? 'numeric' : 'decimal'}
      step={integer ? 1 : 'any'}
      min={typeof schema.minimum === 'number' ? schema.minimum : undefined}
      max={typeof schema.maximum === 'number' ? schema.maximum : undefined}
      placeholder={typeof schema.default === 'number' ? String(schema.default) : t('editor.notSet')}
      value={shown}
      data-field={pointer}
      aria-invalid={invalid}
      aria-describedby={desc}
      onChange={(e) => {
        const text = e.target.value;
        const n = text.trim() === '' ? undefined : Number(text);
        const next = n === undefined || Number.isNaN(n) ? undefined : n;
        setDraft({ text, for: next });
        onChange(pointer, next);
      }}
    />
  );
}

function coerce(text: string, type: string | undefined): unknown {
  if (type === 'number' || type === 'integer') {
    const n = Number(text);
    return text.trim() === '' || Number.isNaN(n) ? text : n;
  }
  if (type === 'boolean') return text === 'true';
  return text;
}

function ListRows({
  id,
  pointer,
  label,
  itemSchema,
  value,
  invalid,
  onChange,
}: {
  id: string;
  pointer: string;
  label: string;
  itemSchema: Schema;
  value: unknown;
  invalid?: true;
  onChange: (pointer: string, value: unknown) => void;
}) {
  const { t } = useTranslation();
  const items = Array.isArray(value) ? value : [];
  const type = typeOf(itemSchema);
  const set = (next: unknown[]) => onChange(pointer, next.length ? next : undefined);
  return (
    <div className="rows" role="group" aria-labelledby={`${id}-label`} data-field={pointer}>
      {items.map((item, i) => (
        <div className="row-edit" key={i}>
          {type === 'boolean' ? (
            <select
              className="select input"
              aria-label={t('editor.item', { label, n: i + 1 })}
              value={String(item)}
              onChange={(e) => set(items.map((x, j) => (j === i ? e.target.value === 'true' : x)))}
            >
              <option value="true">true</option>
              <option value="false">false</option>
            </select>
          ) : (
            <input
              className="input"
              type={type === 'string' ? 'text' : 'number'}
              aria-label={t('editor.item', { label, n: i + 1 })}
              aria-invalid={invalid}
              value={
                typeof item === 'string' || typeof item === 'number' ? String(item) : JSON.stringify(item)
              }
              onChange={(e) => set(items.map((x, j) => (j === i ? coerce(e.target.value, type) : x)))}
            />
          )}
          <button
            type="button"
            className="btn btn-small btn-ghost"
            aria-label={t('editor.removeItem', { label, n: i + 1 })}
            onClick={() => set(items.filter((_, j) => j !== i))}
          >
            ×
          </button>
        </div>
      ))}
      <button
        type="button"
        className="btn btn-small"
        onClick={() => set([...items, type === 'string' ? '' : type === 'boolean' ? false : 0])}
      >
        {t('editor.addItem')}
      </button>
    </div>
  );
}

/** Key/value rows for an object of strings. Rows being typed (empty key) live locally. */
function MapRows({
  id,
  pointer,
  label,
  value,
  invalid,
  onChange,
}: {
  id: string;
  pointer: string;
  label: string;
  value: unknown;
  invalid?: true;
  onChange: (pointer: string, value: unknown) => void;
}) {
  const { t } = useTranslation();
  const entries = isJsonObject(value) ? Object.entries(value) : [];
  const [draft, setDraft] = useState<{ key: string; value: string } | null>(null);
  const commit = (next: [string, unknown][]) =>
    onChange(pointer, next.length ? Object.fromEntries(next) : undefined);
  return (
    <div className="rows" role="group" aria-labelledby={`${id}-label`} data-field={pointer}>
      {entries.map(([k, v], i) => (
        <div className="row-edit row-kv" key={i}>
          <input
            className="input"
            aria-label={t('editor.key', { label, n: i + 1 })}
            value={k}
            onChange={(e) => commit(entries.map((x, j) => (j === i ? [e.target.value, x[1]] : x)))}
          />
          <span aria-hidden="true">=</span>
          <input
            className="input"
            aria-label={t('editor.value', { label, n: i + 1 })}
            aria-invalid={invalid}
            value={typeof v === 'string' ? v : JSON.stringify(v)}
            onChange={(e) => commit(entries.map((x, j) => (j === i ? [x[0], e.target.value] : x)))}
          />
          <button
            type="button"
            className="btn btn-small btn-ghost"
            aria-label={t('editor.removeItem', { label, n: i + 1 })}
            onClick={() => commit(entries.filter((_, j) => j !== i))}
          >
            ×
          </button>
        </div>
      ))}
      {draft ? (
        <div className="row-edit row-kv">
          <input
            className="input"
            aria-label={t('editor.newKey', { label })}
            value={draft.key}
            placeholder={t('editor.keyPlaceholder')}
            onChange={(e) => setDraft({ ...draft, key: e.target.value })}
          />
          <span aria-hidden="true">=</span>
          <input
            className="input"
            aria-label={t('editor.newValue', { label })}
            value={draft.value}
            onChange={(e) => setDraft({ ...draft, value: e.target.value })}
          />
          <button
            type="button"
            className="btn btn-small"
            disabled={!draft.key.trim() || entries.some(([k]) => k === draft.key.trim())}
            onClick={() => {
              commit([...entries, [draft.key.trim(), draft.value]]);
              setDraft(null);
            }}
          >
            {t('editor.addRow')}
          </button>
        </div>
      ) : (
        <button type="button" className="btn btn-small" onClick={() => setDraft({ key: '', value: '' })}>
          {t('editor.addItem')}
        </button>
      )}
    </div>
  );
}

/** Fallback for schema constructs the form does not render: that value as JSON. */
function JsonSubEditor({
  id,
  pointer,
  label,
  help,
  value,
  errors,
  required,
  onChange,
}: {
  id: string;
  pointer: string;
  label: string;
  help?: string;
  value: unknown;
  errors: string[];
  required: boolean;
  onChange: (pointer: string, value: unknown) => void;
}) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState<{ text: string; for: unknown } | null>(null);
  const text = draft && draft.for === value ? draft.text : value === undefined ? '' : formatJson(value);
  const parsed = text.trim() === '' ? null : parseJson(text);
  const parseError =
    parsed && !parsed.ok
      ? t('editor.jsonError', { line: parsed.line, column: parsed.column, message: parsed.message })
      : null;
  const all = parseError ? [parseError, ...errors] : errors;
  return (
    <FieldShell id={id} label={label} help={help} errors={all} pointer={pointer} required={required}>
      <JsonEditor
        id={id}
        label={label}
        hideLabel
        rows={Math.min(10, Math.max(3, text.split('\n').length + 1))}
        value={text}
        invalid={all.length > 0}
        describedBy={describedBy(id, help, all)}
        onChange={(next) => {
          const p = next.trim() === '' ? null : parseJson(next);
          const nextValue = p === null ? undefined : p.ok ? p.value : value;
          setDraft({ text: next, for: nextValue });
          if (p === null || p.ok) onChange(pointer, nextValue);
        }}
      />
    </FieldShell>
  );
}

/** Fields the form has a control for (to tell which hub errors are shown inline). */
export function formPointers(schema: Schema): { exact: Set<string>; deep: Set<string> } {
  const exact = new Set<string>();
  const deep = new Set<string>();
  const walk = (s: Schema, pointer: string) => {
    const kind = controlFor(s);
    if (kind === 'object') {
      exact.add(pointer);
      for (const [k, sub] of Object.entries(s.properties as Schema)) {
        if (isJsonObject(sub)) walk(sub, pointerJoin(pointer, k));
      }
    } else if (kind === 'json' || kind === 'map' || kind === 'list') deep.add(pointer);
    else exact.add(pointer);
  };
  walk(schema, '');
  return { exact, deep };
}

/** True when the form shows an error at `path` next to a field (else only the list shows it). */
export function shownInForm(path: string, pointers: { exact: Set<string>; deep: Set<string> }): boolean {
  if (path !== '' && pointers.exact.has(path)) return true;
  const tokens = pointerTokens(path);
  for (let i = tokens.length; i > 0; i--) {
    const prefix = tokens.slice(0, i).reduce((acc, k) => pointerJoin(acc, k), '');
    if (pointers.deep.has(prefix)) return true;
  }
  return false;
}

export { getAt };
