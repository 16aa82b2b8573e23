import type { ComponentChildren, JSX } from 'preact';
import { useCallback, useEffect, useId, useRef, useState } from 'preact/hooks';
import { ApiError } from './api.ts';

/** Shared pieces of the console's pages: fields, forms, notices and loading data. */

/** A labelled input; its problem (from the API's field errors) is announced with it. */
export function Field({
  label,
  error,
  hint,
  ...input
}: { label: string; error?: string; hint?: string } & JSX.IntrinsicElements['input']) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={error || hint ? `${id}-note` : undefined}
        {...input}
      />
      {(error || hint) && (
        <small id={`${id}-note`} class={error ? 'error' : 'hint'}>
          {error ?? hint}
        </small>
      )}
    </div>
  );
}

/** A labelled multi-line input, for JSON documents. */
export function TextArea({
  label,
  error,
  ...input
}: { label: string; error?: string } & JSX.IntrinsicElements['textarea']) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <textarea id={id} aria-invalid={error ? true : undefined} spellcheck={false} {...input} />
      {error && <small class="error">{error}</small>}
    </div>
  );
}

/**
 * A labelled select of `options` (`[value, label]`, or a value that is its own label), `chosen`
 * selected at first and again when its form is reset.
 */
export function Select({
  label,
  options,
  chosen,
  ...select
}: {
  label: string;
  options: (string | [value: string, label: string])[];
  chosen?: string;
} & JSX.IntrinsicElements['select']) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} {...select}>
        {options.map((o) => {
          const [value, text] = typeof o === 'string' ? [o, o] : o;
          return (
            <option key={value} value={value} {...defaultSelected(value === chosen)}>
              {text}
            </option>
          );
        })}
      </select>
    </div>
  );
}

/**
 * The `selected` attribute (the option's `defaultSelected`), which a form's reset goes back to;
 * the `selected` property would not be. Preact sets it as the property of that name.
 */
export const defaultSelected = (on: boolean) => ({ defaultSelected: on }) as object;

/**
 * A fieldset of checkboxes, one per option (`[value, what it means]`), each named by its value after
 * `prefix` (which keeps two sets of the same values apart in one form).
 */
export function Checks({
  legend,
  options,
  checked = [],
  prefix = '',
}: {
  legend: string;
  options: [value: string, what: string][];
  checked?: readonly string[];
  prefix?: string;
}) {
  return (
    <fieldset>
      <legend>{legend}</legend>
      {options.map(([value, what]) => (
        <label key={value} class="check">
          <input type="checkbox" name={prefix + value} value="on" defaultChecked={checked.includes(value)} />{' '}
          <code>{value}</code> <span class="muted">{what}</span>
        </label>
      ))}
    </fieldset>
  );
}

/** The values of a `Checks` that are ticked in a form's fields. */
export const ticked = (fields: Record<string, string>, options: [value: string, what: string][], prefix = '') =>
  options.map(([value]) => value).filter((value) => fields[prefix + value]);

/** JSON typed by a person, or a FormError that says what is wrong with it. */
export function parseJson(text: string, what: string): unknown {
  try {
    return text.trim() ? JSON.parse(text) : undefined;
  } catch {
    throw new FormError(`${what} is not valid JSON.`);
  }
}

/**
 * A button that submits its own small form, carrying `fields` as hidden inputs (which item, which
 * action) to a `useSubmit` handler.
 */
export function ButtonForm({
  onSubmit,
  fields,
  kind = 'secondary',
  children,
}: {
  onSubmit: (e: Event) => void;
  fields: Record<string, string>;
  kind?: 'secondary' | 'danger' | 'small danger';
  children: ComponentChildren;
}) {
  return (
    <form onSubmit={onSubmit} class="row">
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <button type="submit" class={kind}>
        {children}
      </button>
    </form>
  );
}

/** A table's caption (for screen readers) and column headings; a falsy heading is left out. */
export function TableHead({ caption, columns }: { caption: string; columns: (string | false)[] }) {
  return (
    <>
      <caption class="sr-only">{caption}</caption>
      <thead>
        <tr>
          {columns.filter(Boolean).map((c) => (
            <th key={c} scope="col">
              {c}
            </th>
          ))}
        </tr>
      </thead>
    </>
  );
}

/**
 * A table of `rows` under its caption and headings, one `row` each; `empty` is said instead when
 * there is none (nothing while they load).
 * @example <DataTable caption="Rules" columns={['Rule']} rows={rules.data?.data} empty="No rule yet." row={(r) => <tr key={r.id}><td>{r.name}</td></tr>} />
 */
export function DataTable<T>({
  caption,
  columns,
  rows,
  empty,
  row,
}: {
  caption: string;
  columns: (string | false)[];
  rows: T[] | undefined;
  empty: string;
  row: (item: T) => ComponentChildren;
}) {
  return (
    <>
      <table>
        <TableHead caption={caption} columns={columns} />
        <tbody>{rows?.map(row)}</tbody>
      </table>
      {rows?.length === 0 && <p class="muted">{empty}</p>}
    </>
  );
}

/** A search landmark whose form hands its fields to `onSearch` instead of submitting. */
export function SearchForm({
  onSearch,
  children,
}: {
  onSearch: (fields: Record<string, string>) => void;
  children: ComponentChildren;
}) {
  const submit = (e: Event) => {
    e.preventDefault();
    onSearch(formFields(e.currentTarget as HTMLFormElement));
  };
  return (
    <search>
      <form onSubmit={submit} class="inline">
        {children}
      </form>
    </search>
  );
}

/** The named fields of a form, as text (a file field as an empty string). */
export function formFields(form: HTMLFormElement): Record<string, string> {
  return Object.fromEntries([...new FormData(form).entries()].map(([k, v]) => [k, typeof v === 'string' ? v : '']));
}

/** A notice: `error` is announced at once to screen readers, the others politely. */
/** The first of these errors (a load's, an action's), if any, as an alert. */
export function ErrorNotice({ of }: { of: (string | undefined)[] }) {
  const error = of.find(Boolean);
  return error ? <Notice kind="error">{error}</Notice> : null;
}

export function Notice({
  kind = 'info',
  children,
}: {
  kind?: 'info' | 'error' | 'success';
  children: ComponentChildren;
}) {
  return (
    <div class={`notice ${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

/** A form's own check that failed, before any call: its message is shown as it is. */
export class FormError extends Error {}

/** What to tell a person about a failed call. */
export function problemText(err: unknown): string {
  if (err instanceof FormError) return err.message;
  if (err instanceof ApiError) {
    if (err.status === 429) return 'Too many attempts; wait a little and try again.';
    return err.problem.detail ?? err.problem.title ?? `The server answered ${err.status}.`;
  }
  return 'The platform could not be reached; check your connection.';
}

/**
 * A form's submission: runs `action` with the form's fields, tracks busy and the error, and
 * gives the API's field errors by field name.
 */
export function useSubmit<T>(action: (fields: Record<string, string>, form: HTMLFormElement) => Promise<T>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const onSubmit = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const fields = formFields(form);
    setBusy(true);
    setError(undefined);
    setFieldErrors({});
    try {
      await action(fields, form);
    } catch (err) {
      setError(problemText(err));
      if (err instanceof ApiError && err.problem.errors)
        setFieldErrors(Object.fromEntries(err.problem.errors.map((f) => [f.path, f.message])));
    } finally {
      setBusy(false);
    }
  };
  return { onSubmit, busy, error, fieldErrors, setError };
}

/** Loads data for a page; `reload` reads it again. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]) {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  const current = useRef(0);
  // The caller names what the load depends on.
  const reload = useCallback(async () => {
    const mine = ++current.current;
    try {
      const value = await load();
      if (mine === current.current) {
        setData(value);
        setError(undefined);
      }
    } catch (err) {
      if (mine === current.current) setError(problemText(err));
    }
  }, deps);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data, error, reload, setData };
}

/** A page's title, also set as the document's so the tab and screen readers say where one is. */
export function Title({ children, text }: { children?: ComponentChildren; text: string }) {
  useEffect(() => {
    document.title = `${text} · IoT console`;
  }, [text]);
  return <h1 tabIndex={-1}>{children ?? text}</h1>;
}

export function Submit({ busy, children }: { busy: boolean; children: ComponentChildren }) {
  return (
    <button type="submit" disabled={busy} aria-busy={busy}>
      {children}
    </button>
  );
}

/** Moves through a list the API pages by cursor: on to `next`, or back to the first page. */
export function Pager({
  next,
  at,
  onPage,
}: {
  next: string | null | undefined;
  /** The cursor of the page shown; undefined on the first. */
  at: string | undefined;
  onPage: (cursor: string | undefined) => void;
}) {
  if (!next && !at) return null;
  return (
    <nav aria-label="Pages" class="row">
      {at && (
        <button type="button" class="secondary" onClick={() => onPage(undefined)}>
          First page
        </button>
      )}
      {next && (
        <button type="button" class="secondary" onClick={() => onPage(next)}>
          Next page
        </button>
      )}
    </nav>
  );
}

/** A time as the reader's locale writes it. */
export const when = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : '—');
