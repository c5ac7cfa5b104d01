import { parseCsv } from '../csv/csv-parser';
import type { DatasetField } from './dataset-schema';
import { CsvSchemaChecker, fitsType, SchemaMismatch } from './schema-check';

const fields: DatasetField[] = [
  { name: 'id', type: 'integer', identifier: 'none', masking: 'none' },
  { name: 'amount', type: 'number', identifier: 'none', masking: 'none' },
  { name: 'day', type: 'date', identifier: 'none', masking: 'generalize' },
  { name: 'note', type: 'string', identifier: 'none', masking: 'truncate' },
];

function check(text: string, sampleRows = 1000): CsvSchemaChecker {
  const checker = new CsvSchemaChecker(fields, sampleRows);
  for (const r of parseCsv(text)) checker.onRecord(r.fields, r.line);
  checker.finish();
  return checker;
}

const problemsOf = (text: string, sampleRows?: number) => {
  try {
    check(text, sampleRows);
  } catch (e) {
    if (e instanceof SchemaMismatch) return e.problems;
    throw e;
  }
  return [];
};

describe('CSV schema check', () => {
  it.each([
    ['integer', '-42', true],
    ['integer', '4.2', false],
    ['number', '1e-3', true],
    ['number', '.5', true],
    ['number', 'abc', false],
    ['boolean', 'TRUE', true],
    ['boolean', 'maybe', false],
    ['date', '2024-02-29', true],
    ['date', '2023-02-29', false],
    ['date', '2024/02/01', false],
    ['datetime', '2024-03-01T08:30:00+08:00', true],
    ['datetime', '2024-03-01 08:30', true],
    ['datetime', '2024-03-01T25:00:00Z', false],
    ['string', 'anything', true],
    ['integer', '', true],
  ] as const)('fitsType(%s, %j) = %s', (type, value, ok) => expect(fitsType(type, value)).toBe(ok));

  it('accepts a fitting file in any column order and counts rows with quoted newlines', () => {
    const c = check('note,day,id,amount\n"two\nlines",2024-01-02,1,3.5\nx,,2,\n');
    expect(c.rowCount).toBe(2);
    expect(c.columns).toEqual(['note', 'day', 'id', 'amount']);
  });

  it('names missing, undeclared and duplicate header columns on line 1', () => {
    expect(problemsOf('id,amount,amount,extra\n')).toEqual([
      { line: 1, column: 'amount', message: 'the column appears twice in the header' },
      { line: 1, column: 'extra', message: 'the column is not declared in the dataset fields' },
      { line: 1, column: 'day', message: 'a declared field is missing from the header' },
      { line: 1, column: 'note', message: 'a declared field is missing from the header' },
    ]);
  });

  it('reports type errors and ragged rows with their physical line numbers', () => {
    const problems = problemsOf('id,amount,day,note\n1,2,2024-01-01,"a\nb"\nx,2,2024-13-01,c\n3,4\n');
    expect(problems).toEqual([
      { line: 4, column: 'id', message: '"x" is not an integer' },
      { line: 4, column: 'day', message: '"2024-13-01" is not a date YYYY-MM-DD' },
      { line: 5, message: '2 fields where the header has 4' },
    ]);
  });

  it('type-checks only the sample, but the field count of every row', () => {
    expect(problemsOf('id,amount,day,note\n1,1,,\nx,1,,\n', 1)).toEqual([]);
    expect(problemsOf('id,amount,day,note\n1,1,,\n2,1,\n', 1)).toEqual([
      { line: 3, message: '3 fields where the header has 4' },
    ]);
  });

  it('refuses an empty file', () => {
    expect(problemsOf('')).toEqual([{ line: 1, message: 'the file is empty: a header line is required' }]);
  });

  it('stops at the problem limit', () => {
    const rows = Array.from({ length: 50 }, () => 'x,1,,').join('\n');
    const checker = new CsvSchemaChecker(fields, 1000, 20);
    expect(() => {
      for (const r of parseCsv(`id,amount,day,note\n${rows}\n`)) checker.onRecord(r.fields, r.line);
    }).toThrow(SchemaMismatch);
    expect(checker.problems).toHaveLength(20);
  });
});
