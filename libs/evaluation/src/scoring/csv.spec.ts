import { readCsvRecords, type CsvRecord } from './csv';
import { splitLines, decodeUtf8, LineTooLongError } from './lines';
import { IssueCollector, ScoringFileError } from './scoring.errors';
import { parseCandidates, parseNumber } from './values';

async function records(lines: string[]): Promise<{ records: CsvRecord[]; issues: IssueCollector }> {
  const issues = new IssueCollector('predictions');
  const out: CsvRecord[] = [];
  for await (const r of readCsvRecords(lines, issues)) out.push(r);
  return { records: out, issues };
}

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of source) out.push(x);
  return out;
}

async function* chunks(...parts: (string | Uint8Array)[]): AsyncGenerator<string | Uint8Array> {
  for (const p of parts) yield p;
}

describe('readCsvRecords (RFC 4180)', () => {
  it('splits fields, handles quotes, escaped quotes and commas in quotes', async () => {
    const { records: r } = await records([
      'id,text',
      '1,"a, b"',
      '2,"say ""hi"""',
      '3,',
      '4,plain "quote" inside',
    ]);
    expect(r.map((x) => x.fields)).toEqual([
      ['id', 'text'],
      ['1', 'a, b'],
      ['2', 'say "hi"'],
      ['3', ''],
      ['4', 'plain "quote" inside'],
    ]);
  });

  it('joins quoted fields that span lines and reports the line a record starts on', async () => {
    const { records: r } = await records(['id,text', '1,"first', 'second"', '2,x']);
    expect(r).toEqual([
      { line: 1, fields: ['id', 'text'] },
      { line: 2, fields: ['1', 'first\nsecond'] },
      { line: 4, fields: ['2', 'x'] },
    ]);
  });

  it('drops a BOM and trailing \\r, skips blank lines (line numbers stay physical)', async () => {
    const { records: r } = await records(['\ufeffid,y\r', '', '1,2\r', '   ', '3,4']);
    expect(r).toEqual([
      { line: 1, fields: ['id', 'y'] },
      { line: 3, fields: ['1', '2'] },
      { line: 5, fields: ['3', '4'] },
    ]);
  });

  it('reports text after a closing quote and skips that record', async () => {
    const { records: r, issues } = await records(['id,y', '1,"a"b', '2,c']);
    expect(r.map((x) => x.line)).toEqual([1, 3]);
    expect(issues.issues()[0]).toMatchObject({ reason: 'MALFORMED_CSV', count: 1, examples: [{ line: 2 }] });
  });

  it('fails on a quote that is never closed', async () => {
    const error = await records(['id,y', '1,"open', '2,x']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScoringFileError);
    expect((error as ScoringFileError).message).toMatch(/Line 2: a quoted field is never closed/);
  });
});

describe('splitLines', () => {
  it('splits byte chunks on \\n, with CRLF, a BOM, UTF-8 split across chunks and no final newline', async () => {
    const bytes = new TextEncoder().encode('\ufeffid,城市\r\n1,北京\n2,上海');
    const parts = [bytes.subarray(0, 7), bytes.subarray(7, 15), bytes.subarray(15)];
    expect(await collect(splitLines(chunks(...parts)))).toEqual(['id,城市', '1,北京', '2,上海']);
    expect(await collect(splitLines(chunks('a\n', 'b\n')))).toEqual(['a', 'b']);
    expect(await collect(splitLines(chunks('a\n\nb')))).toEqual(['a', '', 'b']);
  });

  it('refuses overlong lines', async () => {
    await expect(collect(splitLines(chunks('x'.repeat(20), '\n'), 10))).rejects.toBeInstanceOf(
      LineTooLongError,
    );
    await expect(collect(splitLines(chunks('ok\n', 'y'.repeat(11)), 10))).rejects.toThrow(/line 2/);
  });

  it('decodes UTF-8 pieces', async () => {
    const bytes = new TextEncoder().encode('€');
    expect((await collect(decodeUtf8(chunks(bytes.subarray(0, 1), bytes.subarray(1))))).join('')).toBe('€');
  });
});

describe('values', () => {
  it('parses decimal numbers and names what is wrong otherwise', () => {
    expect(parseNumber(' 1.5e3 ')).toEqual({ ok: true, value: 1500 });
    expect(parseNumber('-.5')).toEqual({ ok: true, value: -0.5 });
    expect(parseNumber('-0')).toEqual({ ok: true, value: 0 });
    expect(parseNumber('')).toMatchObject({ ok: false, reason: 'MISSING_VALUE' });
    expect(parseNumber('abc')).toMatchObject({ ok: false, reason: 'NON_NUMERIC' });
    expect(parseNumber('0x10')).toMatchObject({ ok: false, reason: 'NON_NUMERIC' });
    expect(parseNumber('1,5')).toMatchObject({ ok: false, reason: 'NON_NUMERIC' });
    // the scanner and the regular expression agree on every shape
    for (const s of [
      '5',
      '5.',
      '.5',
      '+5',
      '-5.25e-3',
      '1E+2',
      '.',
      '+',
      '-.',
      'e5',
      '1e',
      '1e+',
      '1.2.3',
      '1..2',
      '--1',
      '1 2',
    ])
      expect(parseNumber(s).ok).toBe(/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s.trim()));
    expect(parseNumber('5.')).toEqual({ ok: true, value: 5 });
    expect(parseNumber('1E+2')).toEqual({ ok: true, value: 100 });
    for (const s of ['nan', 'NaN', 'inf', '-Infinity', '1e400']) {
      expect(parseNumber(s)).toMatchObject({ ok: false, reason: 'NOT_FINITE' });
    }
  });

  it('splits candidate lists on |', () => {
    expect(parseCandidates(' a | b||c ')).toEqual(['a', 'b', 'c']);
    expect(parseCandidates('')).toEqual([]);
  });
});
