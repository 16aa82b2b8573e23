import { describe, expect, it } from 'vitest';
import { csvRecord, MalformedCsv, parseCsv } from './csv.ts';

describe('csv', () => {
  it('quotes per RFC 4180: commas, quotes and line breaks, records ending in CRLF', () => {
    expect(csvRecord(['plain', 'a,b', 'say "hi"', 'two\nlines', 'cr\ronly', '', null, undefined])).toBe(
      'plain,"a,b","say ""hi""","two\nlines","cr\ronly",,,\r\n',
    );
    expect(csvRecord([1, 'pump, north'])).toBe('1,"pump, north"\r\n');
  });

  it('defuses text a spreadsheet would run as a formula, and leaves numbers alone', () => {
    expect(csvRecord(['=1+1', '+1', '-cmd', '@SUM(A1)', '\tx', '\rx', '=HYPERLINK("x")'])).toBe(
      `'=1+1,'+1,'-cmd,'@SUM(A1),'\tx,"'\rx","'=HYPERLINK(""x"")"\r\n`,
    );
    expect(csvRecord([-5, 1.5, true, false, new Date(0)])).toBe('-5,1.5,true,false,1970-01-01T00:00:00.000Z\r\n');
  });

  it('reads back what it writes', () => {
    const cells = ['a,b', 'say "hi"', 'two\r\nlines', 'x'];
    const { rows } = parseCsv(csvRecord(['w', 'x', 'y', 'z']) + csvRecord(cells));
    expect(Object.values(rows[0]!.cells)).toEqual(cells);
  });

  it('parses quoted fields, a byte order mark, CRLF, and names the line each record starts on', () => {
    const text = '\uFEFFname,type,tags\r\n"bulk, 3",pump,\r\n\r\n"two\r\nlines ""q""",x,a;b\r\nlast,y,z';
    const { header, rows } = parseCsv(text);
    expect(header).toEqual(['name', 'type', 'tags']);
    expect(rows).toEqual([
      { line: 2, cells: { name: 'bulk, 3', type: 'pump', tags: '' } },
      { line: 4, cells: { name: 'two\r\nlines "q"', type: 'x', tags: 'a;b' } },
      { line: 6, cells: { name: 'last', type: 'y', tags: 'z' } },
    ]);
  });

  it('refuses a malformed file, naming the line', () => {
    const fails = (text: string) => {
      try {
        parseCsv(text);
      } catch (err) {
        return err as MalformedCsv;
      }
      throw new Error('parsed');
    };
    const cases: [string, number, RegExp][] = [
      ['name,type\na,b\nbad"x,y\n', 3, /quote inside an unquoted field/],
      ['name,type\na,b\n"open,y\n', 3, /never closed/],
      ['name,type\r\n"x\r\ny",1\r\nd\r\n', 4, /1 fields where the header has 2/],
      ['name,type\n"x"y,1\n', 2, /after a closing quote/],
      ['name,type\n"bulk, 3",pump,\n', 2, /3 fields where the header has 2/],
    ];
    for (const [text, line, reason] of cases) {
      const err = fails(text);
      expect(err).toBeInstanceOf(MalformedCsv);
      expect([err.status, err.slug, err.line], text).toEqual([400, 'invalid-request', line]);
      expect(err.detail).toMatch(new RegExp(`^CSV line ${line}: `));
      expect(err.detail).toMatch(reason);
    }
  });
});
