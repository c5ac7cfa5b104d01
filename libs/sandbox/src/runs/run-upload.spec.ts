import { normalizeOutputPath } from '../exports/exports.service';
import { parseCommand } from './run-upload';

describe('run upload helpers', () => {
  it('parses argv as a JSON array of non-empty strings', () => {
    expect(parseCommand('["python3","main.py","--n","3"]')).toEqual(['python3', 'main.py', '--n', '3']);
    for (const bad of [
      undefined,
      'python3 main.py',
      '[]',
      '[""]',
      '[1]',
      '{"a":1}',
      JSON.stringify(Array(65).fill('x')),
      '["a\\u0000b"]',
    ])
      expect(() => parseCommand(bad)).toThrow(expect.objectContaining({ code: 'INVALID_RUN_REQUEST' }));
  });

  it('reads export paths relative to /output', () => {
    expect(normalizeOutputPath('/output/a/b.csv')).toBe('a/b.csv');
    expect(normalizeOutputPath('output/./x.csv')).toBe('x.csv');
    expect(normalizeOutputPath(' //y.txt ')).toBe('y.txt');
    expect(normalizeOutputPath('/')).toBe('');
  });
});
