import type { Readable, Writable } from 'node:stream';
import { csvLine, transformCsv } from '../csv';
import { createRowMasker, type MaskingField } from '../governance/masking';

/**
 * The `masked` view of a raw CSV: the header minus dropped (and undeclared) columns, then every record
 * masked by its field rules with the grant's salt (see governance/masking.ts). Streamed.
 */
export async function writeMaskedView(
  input: Readable,
  output: Writable,
  fields: readonly MaskingField[],
  salt: Buffer,
): Promise<{ rowCount: number; columns: string[] }> {
  let masker: ReturnType<typeof createRowMasker> | null = null;
  let rowCount = 0;
  await transformCsv(input, output, (record) => {
    if (!masker) {
      masker = createRowMasker(
        [...fields],
        record.map((h) => h.trim()),
        salt,
      );
      return csvLine(masker.header);
    }
    rowCount++;
    return csvLine(masker.mask(record));
  });
  return { rowCount, columns: masker ? (masker as ReturnType<typeof createRowMasker>).header : [] };
}
