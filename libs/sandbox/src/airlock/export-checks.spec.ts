import { FingerprintSet } from '@aihub/datasets';
import { runExportChecks } from './export-checks';
import { REDACTION_MARKER, redactLog } from './log-redactor';
import { candidateRecords, parseCsvLine } from './record-splitter';

const rows = [
  ['张三', '11010519491231002X', '13800138000', '福田街道', '42'],
  ['李四', '440304199001011234', '13912345678', '南园街道', '17'],
];
const set = FingerprintSet.fromRows(rows);
const opts = { maxBytes: 1024 * 1024, smallCellThreshold: 10 };
const file = (path: string, text: string | Buffer) => ({
  path,
  content: Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8'),
});
const byName = (checks: { name: string; passed: boolean }[]) =>
  Object.fromEntries(checks.map((c) => [c.name, c.passed]));

describe('record splitting', () => {
  it('reads CSV with quotes, and other delimiters', () => {
    expect(parseCsvLine('a,"b,c","d""e",')).toEqual(['a', 'b,c', 'd"e', '']);
    const recs = candidateRecords("['张三', '11010519491231002X', '13800138000', '福田街道', 42]");
    expect(recs).toContainEqual(['张三', '11010519491231002X', '13800138000', '福田街道', '42']);
    expect(candidateRecords('a\tb')).toContainEqual(['a', 'b']);
    expect(candidateRecords('   ')).toEqual([]);
  });
});

describe('export checks', () => {
  it('passes an aggregate with large counts', () => {
    const checks = runExportChecks(
      [file('summary.csv', 'street,count\n福田街道,120\n南园街道,35\n')],
      [set],
      opts,
    );
    expect(checks.map((c) => c.name)).toEqual([
      'file_types',
      'size',
      'row_fingerprints',
      'direct_identifiers',
      'small_cells',
    ]);
    expect(checks.every((c) => c.passed)).toBe(true);
  });

  it('flags copied rows under any delimiter, naming file and line but not the content', () => {
    const checks = runExportChecks(
      [
        file('rows.csv', 'x\n李四,440304199001011234,13912345678,南园街道,17\n'),
        file('dump.txt', '张三|11010519491231002X|13800138000|福田街道|42\n'),
      ],
      [set],
      opts,
    );
    const fp = checks.find((c) => c.name === 'row_fingerprints')!;
    expect(fp.passed).toBe(false);
    expect(fp.detail).toContain('rows.csv:2');
    expect(fp.detail).toContain('dump.txt:1');
    expect(fp.detail).not.toContain('13912345678');
  });

  it('flags resident IDs with a valid check digit, mobiles and credit codes, masked', () => {
    const checks = runExportChecks(
      [file('ids.txt', 'id 11010519491231002X\ncall 13800138000\nbad 110105194912310021\n')],
      [],
      opts,
    );
    const ids = checks.find((c) => c.name === 'direct_identifiers')!;
    expect(ids.passed).toBe(false);
    expect(ids.detail).toContain('1 resident_id');
    expect(ids.detail).toContain('1 mobile');
    expect(ids.detail).not.toContain('11010519491231002X');
    expect(
      byName(runExportChecks([file('ok.txt', 'order 110105194912310021 total 12\n')], [], opts))
        .direct_identifiers,
    ).toBe(true);
  });

  it('flags small cells in tables (1..threshold-1), not zero and not ids', () => {
    const checks = runExportChecks([file('t.csv', 'street_id,count\n1001,0\n1002,3\n1003,25\n')], [], opts);
    const small = checks.find((c) => c.name === 'small_cells')!;
    expect(small.passed).toBe(false);
    expect(small.detail).toBe('1 count(s) below 10: t.csv row 2 count=3.');
    expect(byName(runExportChecks([file('t.tsv', 'street\tn\nA\t10\n')], [], opts)).small_cells).toBe(true);
  });

  it('refuses binary, unknown types, fake images and oversize requests', () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a]);
    expect(byName(runExportChecks([file('plot.png', png)], [], opts)).file_types).toBe(true);
    expect(byName(runExportChecks([file('plot.png', 'not a png')], [], opts)).file_types).toBe(false);
    expect(byName(runExportChecks([file('model.pkl', 'x')], [], opts)).file_types).toBe(false);
    expect(
      byName(runExportChecks([file('a.txt', Buffer.from([0x61, 0x00, 0x62]))], [], opts)).file_types,
    ).toBe(false);
    expect(byName(runExportChecks([file('a.txt', 'x'.repeat(11))], [], { ...opts, maxBytes: 10 })).size).toBe(
      false,
    );
  });
});

describe('log redaction', () => {
  it('replaces identifier and row lines by a marker and counts them', () => {
    const log = [
      'loading /data/hotline',
      '张三,11010519491231002X,13800138000,福田街道,42',
      'mean age 29.5',
      'contact 13912345678',
      '',
    ].join('\n');
    const r = redactLog(log, [set]);
    expect(r.redactedLines).toBe(2);
    expect(r.text.split('\n')).toEqual([
      'loading /data/hotline',
      REDACTION_MARKER,
      'mean age 29.5',
      REDACTION_MARKER,
      '',
    ]);
  });

  it('leaves a clean log alone', () => {
    expect(redactLog('done\n', [set])).toEqual({ text: 'done\n', redactedLines: 0 });
  });
});
