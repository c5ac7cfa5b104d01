import { JsonArrayStreamer, JsonStreamError, type JsonElement } from './json-stream';

function run(
  pieces: string[],
  keys: string[] = [],
): { elements: JsonElement[]; streamer: JsonArrayStreamer } {
  const elements: JsonElement[] = [];
  const streamer = new JsonArrayStreamer(new Set(keys), (e) => elements.push(e));
  for (const p of pieces) streamer.feed(p);
  streamer.end();
  return { elements, streamer };
}

/** Every split of the text into single characters and into two pieces gives the same elements. */
function everySplit(text: string, keys: string[] = []): JsonElement[] {
  const whole = run([text], keys).elements;
  expect(run([...text], keys).elements).toEqual(whole);
  for (let i = 1; i < text.length; i += 3)
    expect(run([text.slice(0, i), text.slice(i)], keys).elements).toEqual(whole);
  return whole;
}

describe('JsonArrayStreamer', () => {
  it('hands out the elements of a top-level array, whatever the chunking', () => {
    const text = '[{"a": [1, 2], "s": "x,]}\\"y"}, 3, "str", [4, [5]], null]';
    const elements = everySplit(text);
    expect(elements.map((e) => JSON.parse(e.text))).toEqual([
      { a: [1, 2], s: 'x,]}"y' },
      3,
      'str',
      [4, [5]],
      null,
    ]);
    expect(elements.every((e) => e.key === '')).toBe(true);
  });

  it('hands out the elements of selected arrays of a top-level object and skips the rest', () => {
    const text =
      '{"info": {"images": [9]}, "images": [{"id": 1}, {"id": 2}],\n "other": [7],\n "annotations": [{"image_id": 1}]}';
    const { elements, streamer } = run([text], ['images', 'annotations']);
    expect(elements.map((e) => [e.key, JSON.parse(e.text), e.line])).toEqual([
      ['images', { id: 1 }, 1],
      ['images', { id: 2 }, 1],
      ['annotations', { image_id: 1 }, 3],
    ]);
    expect(streamer.topLevel).toBe('{');
    expect([...streamer.seenKeys]).toEqual(['info', 'images', 'other', 'annotations']);
    expect(everySplit(text, ['images', 'annotations'])).toEqual(elements);
  });

  it('handles keys with escapes and empty arrays', () => {
    const { elements } = run(['{"im\\u0061ges": [], "images": [1]}'], ['images']);
    expect(elements.map((e) => e.text)).toEqual(['1']);
  });

  it('reports structural errors with a line', () => {
    expect(() => run(['[1, 2}'])).toThrow(JsonStreamError);
    expect(() => run(['[1, 2'])).toThrow(/ends before it is complete/);
    expect(() => run(['[1]\n x'])).toThrow(/after the end/);
    expect(() => run([''])).toThrow(/no JSON value/);
    expect(() => run(['42'])).toThrow(/object or array/);
    try {
      run(['[\n1,\n2}']);
    } catch (error) {
      expect((error as JsonStreamError).line).toBe(3);
    }
  });
});
