import { Readable } from 'node:stream';
import { redactLines, REDACTED_LINE, tokensFoundIn } from './log-redaction';

const source =
  (text: string, chunk = 7) =>
  () =>
    Promise.resolve(
      Readable.from(
        Array.from({ length: Math.ceil(text.length / chunk) }, (_, i) =>
          text.slice(i * chunk, (i + 1) * chunk),
        ),
      ),
    );

describe('log redaction', () => {
  it('finds candidate tokens across chunk boundaries', async () => {
    const found = await tokensFoundIn(
      await source('id,label\nT1,噪音扰民\nT2,市容环境\n', 3)(),
      new Set(['市容环境', 'nothing', 'T2']),
    );
    expect([...found].sort()).toEqual(['T2', '市容环境']);
  });

  it('redacts exactly the lines that quote hidden data', async () => {
    const lines = ['loaded 2 rows', 'row T9 -> secret-label-42', 'done in 3s'];
    const out = await redactLines(lines, [source('id,label\nT9,secret-label-42\n')]);
    expect(out).toEqual(['loaded 2 rows', REDACTED_LINE, 'done in 3s']);
  });

  it('keeps the lines when nothing hidden is quoted', async () => {
    expect(await redactLines(['Traceback', 'ValueError: bad'], [source('a,b\nx1,y1\n')])).toEqual([
      'Traceback',
      'ValueError: bad',
    ]);
  });
});
