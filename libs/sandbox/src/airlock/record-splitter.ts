/**
 * How a line of output may hold a dataset row: CSV (with quotes), TSV, `;` or `|` separated, or
 * whitespace separated (a printed tuple). Each reading is tried against the fingerprint set, so a
 * copied row is caught whatever delimiter the program used. Brackets and quotes of printed Python
 * lists/tuples (`['a', 'b']`, `('a', 1)`) are stripped first.
 */
export function candidateRecords(line: string): string[][] {
  const trimmed = line.replace(/\r$/, '');
  if (!trimmed.trim()) return [];
  const out: string[][] = [parseCsvLine(trimmed)];
  for (const sep of ['\t', ';', '|']) if (trimmed.includes(sep)) out.push(trimmed.split(sep));
  const printed = /^\s*[[(].*[\])]\s*$/.test(trimmed)
    ? trimmed
        .trim()
        .slice(1, -1)
        .split(',')
        .map((s) => s.trim().replace(/^(['"])(.*)\1$/, '$2'))
    : null;
  if (printed) out.push(printed);
  const words = trimmed.trim().split(/\s+/);
  if (words.length > 1) out.push(words);
  return out;
}

/** One CSV record on one line (RFC 4180 quoting; a quoted newline cannot appear in a line). */
export function parseCsvLine(line: string): string[] {
  const fields: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"') {
        if (line[i + 1] === '"') {
          cur += '"';
          i++;
        } else quoted = false;
      } else cur += ch;
    } else if (ch === '"' && cur === '') quoted = true;
    else if (ch === ',') {
      fields.push(cur);
      cur = '';
    } else cur += ch;
  }
  fields.push(cur);
  return fields;
}
