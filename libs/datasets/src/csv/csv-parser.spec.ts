import { CsvParser, CsvSyntaxError, csvLine, parseCsv } from './csv-parser';

const records = (text: string) => parseCsv(text).map((r) => r.fields);

describe('CsvParser', () => {
  it('parses plain records, CRLF and a missing final line break', () => {
    expect(records('a,b\r\n1,2\r\n3,4')).toEqual([
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
    ]);
  });

  it('keeps delimiters, doubled quotes and line breaks inside quoted fields (known answers)', () => {
    const parsed = parseCsv('id,text\n1,"a, ""b""\nsecond line"\n2,"x\r\ny"\n3,plain\n');
    expect(parsed.map((r) => r.fields)).toEqual([
      ['id', 'text'],
      ['1', 'a, "b"\nsecond line'],
      ['2', 'x\r\ny'],
      ['3', 'plain'],
    ]);
    // records start on physical lines 1, 2, 4, 6
    expect(parsed.map((r) => r.line)).toEqual([1, 2, 4, 6]);
  });

  it('skips a BOM and blank lines, keeps empty fields', () => {
    expect(records('\ufeffa,b\n\n,\n"",x\n')).toEqual([
      ['a', 'b'],
      ['', ''],
      ['', 'x'],
    ]);
  });

  it('gives the same records however the input is split into chunks', () => {
    const text = 'h1,h2,h3\r\n"q ""1""",b,"multi\r\nline"\r\n"",,"x"\n"end""",z,"\r"\r\nlast,1,2';
    const whole = parseCsv(text);
    for (let cut = 1; cut < text.length; cut++) {
      for (const step of [1, cut]) {
        const out: { fields: string[]; line: number }[] = [];
        const p = new CsvParser((fields, line) => out.push({ fields, line }));
        p.write(text.slice(0, cut));
        for (let i = cut; i < text.length; i += step) p.write(text.slice(i, i + step));
        p.end();
        expect(out).toEqual(whole);
      }
    }
  });

  it.each([
    ['a,b\n1,x"y\n', 2],
    ['a,b\n1,"x"y\n', 2],
    ['a,b\n1,"open\n2,3\n', 2],
  ])('refuses malformed input %j with the line number', (text, line) => {
    let error: unknown;
    try {
      parseCsv(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CsvSyntaxError);
    expect((error as CsvSyntaxError).line).toBe(line);
  });

  it('refuses a runaway record', () => {
    const p = new CsvParser(() => undefined, { maxRecordChars: 10 });
    expect(() => p.write('"' + 'x'.repeat(20))).toThrow(CsvSyntaxError);
  });

  it('writes what it reads', () => {
    const rows = [['a', 'b,c', 'd"e', 'f\ng', ' pad', '']];
    const text = rows.map(csvLine).join('');
    expect(text).toBe('a,"b,c","d""e","f\ng"," pad",\n');
    expect(records(text)).toEqual(rows);
  });
});
