import { CsvError, parse } from 'csv-parse/sync';
import { type Options, stringify } from 'csv-stringify/sync';
import { Invalid } from './problem.ts';

/**
 * CSV in and out, the one place for both: every CSV the API writes goes through `csvRecord` (by way
 * of `exportFile`), every CSV it reads through `parseCsv`.
 */

/** Cells a spreadsheet would run as a formula (OWASP "CSV injection"): `=`, `+`, `-`, `@`, tab, CR. */
const FORMULA = /^[=+\-@\t\r]/;

const BREAK = /\r\n|\r|\n/g;

const WRITE: Options = {
  // RFC 4180 section 2: records end with CRLF.
  record_delimiter: 'windows',
  // A line break of either kind inside a field must be quoted, not only the record delimiter.
  quoted_match: /[\r\n]/,
  cast: {
    // Text only: a negative number stays a number, and a leading quote keeps a formula inert.
    string: (s) => (FORMULA.test(s) ? `'${s}` : s),
    boolean: (b) => String(b),
    date: (d) => d.toISOString(),
  },
};

/**
 * One record, CRLF-terminated: for streamed exports.
 * @example csvRecord([1, 'pump, north']) // '1,"pump, north"\r\n'
 */
export function csvRecord(cells: readonly unknown[]): string {
  return stringify([cells as unknown[]], WRITE);
}

/** A CSV that is not well formed (RFC 4180), answered as 400 `invalid-request` naming the line. */
export class MalformedCsv extends Invalid {
  constructor(
    readonly line: number,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`CSV line ${line}: ${reason}`, { errors: [{ path: `line ${line}`, message: reason }] }, options);
  }
}

/** A record of a CSV file under its header, with the line it starts on (1 is the header). */
export interface CsvRow {
  line: number;
  cells: Record<string, string>;
}

/**
 * Parses RFC 4180 CSV with a header line: quoted fields with commas, quotes and line breaks, CRLF
 * or LF, a byte order mark; empty lines are skipped and cells trimmed. Every record must have as
 * many fields as the header; anything else throws `MalformedCsv` naming the line.
 */
export function parseCsv(text: string): { header: string[]; rows: CsvRow[] } {
  let header: string[] = [];
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(text, {
      bom: true,
      columns: (names: string[]) => {
        header = names.map((n) => n.trim());
        return header;
      },
      skip_empty_lines: true,
      trim: true,
      info: true,
    });
  } catch (err) {
    if (!(err instanceof CsvError)) throw err;
    throw new MalformedCsv(failedLine(text, err), reason(err), { cause: err });
  }
  // csv-parse counts a CRLF inside a quoted field as two lines: take those back.
  let extra = 0;
  const rows = records.map(({ record, info }) => {
    const values = Object.values(record);
    extra += values.reduce((n, v) => n + count(v, /\r\n/g), 0);
    const breaks = values.reduce((n, v) => n + count(v, BREAK), 0);
    return { line: info.lines - extra - breaks, cells: record };
  });
  return { header, rows };
}

/**
 * The line the failing record starts on. `bytes` is where parsing stopped: the start of a record
 * whose quoting is wrong, or the end of a complete record refused as a whole (it has `record`).
 */
function failedLine(text: string, err: CsvError): number {
  const e = err as CsvError & { bytes?: number; record?: unknown[] };
  let before = Buffer.from(text)
    .subarray(0, e.bytes ?? 0)
    .toString();
  if (!e.record) return count(before, BREAK) + 1;
  before = before.replace(/(\r\n|\r|\n)$/, '');
  const inside = e.record.reduce<number>((n, v) => n + count(String(v), BREAK), 0);
  return count(before, BREAK) + 1 - inside;
}

function count(s: string, re: RegExp): number {
  return s.match(re)?.length ?? 0;
}

/** What is wrong, in words that say how to fix it; csv-parse's own line number is off after quoted CRLFs. */
function reason(err: CsvError): string {
  const e = err as CsvError & { record?: unknown[]; columns?: unknown[] };
  switch (err.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field is never closed';
    case 'INVALID_OPENING_QUOTE':
      return 'a quote inside an unquoted field: quote the whole field and double the quote ("a ""b""")';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'text after a closing quote: double a quote inside a quoted field ("a ""b"" c")';
    case 'CSV_RECORD_INCONSISTENT_COLUMNS':
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
      return `${e.record?.length ?? 'a different number of'} fields where the header has ${e.columns?.length ?? 'another number'}: quote a field that holds a comma`;
    default:
      return err.message.replace(/ at line \d+/, '');
  }
}
