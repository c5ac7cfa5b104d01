import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { buildDocx, buildPdf, buildZip } from '../testing/zip-writer';
import {
  AttachmentSniffer,
  EmptyFileError,
  InvalidZipError,
  sniffMagic,
  WrongMagicBytesError,
  zipEntryNames,
  zipKind,
} from './file-sniffer';

const reader = (file: Buffer) => async (start: number, end: number) => file.subarray(start, end);

async function sniff(chunks: Buffer[], tailWindow?: number) {
  const sniffer = new AttachmentSniffer(tailWindow);
  const out: Buffer[] = [];
  await pipeline(Readable.from(chunks), sniffer, async (source: AsyncIterable<Buffer>) => {
    for await (const c of source) out.push(c);
  });
  return { sniffer, out: Buffer.concat(out) };
}

describe('sniffMagic', () => {
  it.each([
    ['a PDF', buildPdf(), 'pdf'],
    ['a ZIP', buildZip([{ name: 'a.txt', data: 'a' }]), 'zip'],
    ['a DOCX (a ZIP)', buildDocx(), 'zip'],
  ])('recognizes %s', (_, bytes, family) => expect(sniffMagic(bytes)).toBe(family));

  it.each([
    ['plain text named .pdf', Buffer.from('hello, not a pdf')],
    ['a PNG', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])],
    ['an ELF binary', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02])],
    ['an empty ZIP (end record only)', Buffer.from([0x50, 0x4b, 0x05, 0x06, 0, 0])],
    ['a PDF magic with a leading space', Buffer.from(' %PDF-1.7')],
    ['a truncated magic', Buffer.from('%PD')],
    ['nothing', Buffer.alloc(0)],
  ])('refuses %s', (_, bytes) => expect(sniffMagic(bytes)).toBeNull());
});

describe('zipEntryNames / zipKind', () => {
  it('lists the central directory of a DOCX and calls it docx', async () => {
    const docx = buildDocx();
    const names = await zipEntryNames(docx.length, reader(docx));
    expect(names).toEqual(['[Content_Types].xml', '_rels/.rels', 'word/document.xml']);
    expect(zipKind(names)).toBe('docx');
  });

  it('calls a ZIP without [Content_Types].xml or word/ a plain zip', async () => {
    expect(zipKind(['word/document.xml'])).toBe('zip');
    expect(zipKind(['[Content_Types].xml', 'xl/workbook.xml'])).toBe('zip');
    const zip = buildZip([{ name: '数据说明.txt', data: '你好' }]);
    const names = await zipEntryNames(zip.length, reader(zip));
    expect(names).toEqual(['数据说明.txt']);
    expect(zipKind(names)).toBe('zip');
  });

  it('reads a directory followed by an archive comment', async () => {
    const zip = buildZip(
      [
        { name: '[Content_Types].xml', data: 'x' },
        { name: 'word/document.xml', data: 'y' },
      ],
      { comment: 'PK\x05\x06 looks like a signature but is only a comment' },
    );
    expect(zipKind(await zipEntryNames(zip.length, reader(zip)))).toBe('docx');
  });

  it('reads ZIP64 directories', async () => {
    const zip = buildZip(
      [
        { name: '[Content_Types].xml', data: 'x' },
        { name: 'word/document.xml', data: 'y' },
      ],
      { zip64: true },
    );
    expect(await zipEntryNames(zip.length, reader(zip))).toEqual([
      '[Content_Types].xml',
      'word/document.xml',
    ]);
  });

  it('refuses a local header with no directory (truncated archive)', async () => {
    const zip = buildDocx();
    const truncated = zip.subarray(0, zip.length - 30);
    await expect(zipEntryNames(truncated.length, reader(truncated))).rejects.toBeInstanceOf(InvalidZipError);
    const fake = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(100)]);
    await expect(zipEntryNames(fake.length, reader(fake))).rejects.toThrow(/end of central directory/);
  });

  it('refuses a directory that points outside the file or is corrupt', async () => {
    const zip = Buffer.from(buildDocx());
    const eocd = zip.length - 22;
    const bad = Buffer.from(zip);
    bad.writeUInt32LE(zip.length, eocd + 16); // offset beyond the end
    await expect(zipEntryNames(bad.length, reader(bad))).rejects.toThrow(/out of bounds/);
    const corrupt = Buffer.from(zip);
    corrupt.writeUInt32LE(0xdeadbeef, corrupt.readUInt32LE(eocd + 16)); // first directory header
    await expect(zipEntryNames(corrupt.length, reader(corrupt))).rejects.toThrow(/corrupt/);
  });

  it('enforces limits on the directory', async () => {
    const zip = buildDocx();
    await expect(
      zipEntryNames(zip.length, reader(zip), { maxCentralDirectoryBytes: 10, maxEntries: 100 }),
    ).rejects.toThrow(/too large/);
    await expect(
      zipEntryNames(zip.length, reader(zip), { maxCentralDirectoryBytes: 1 << 20, maxEntries: 2 }),
    ).rejects.toThrow(/too many/);
  });
});

describe('AttachmentSniffer', () => {
  it('passes a PDF through unchanged, even when the magic arrives one byte at a time', async () => {
    const pdf = buildPdf('x'.repeat(1000));
    const chunks: Buffer[] = [...pdf.subarray(0, 8)].map((b) => Buffer.from([b]));
    chunks.push(pdf.subarray(8));
    const { sniffer, out } = await sniff(chunks);
    expect(out.equals(pdf)).toBe(true);
    expect(sniffer.family).toBe('pdf');
    expect(sniffer.sizeBytes).toBe(pdf.length);
  });

  it('fails on the first chunk with wrong magic bytes', async () => {
    await expect(
      sniff([Buffer.from('MZ\x90\x00 windows executable'), Buffer.alloc(10)]),
    ).rejects.toBeInstanceOf(WrongMagicBytesError);
  });

  it('fails on an empty body and on a body shorter than any magic', async () => {
    await expect(sniff([])).rejects.toBeInstanceOf(EmptyFileError);
    await expect(sniff([Buffer.from('PK')])).rejects.toBeInstanceOf(WrongMagicBytesError);
  });

  it('keeps only a bounded tail, enough to read the ZIP directory from memory', async () => {
    const big = buildZip([
      { name: 'padding.bin', data: Buffer.alloc(300_000, 7) },
      { name: '[Content_Types].xml', data: 'x' },
      { name: 'word/document.xml', data: 'y' },
    ]);
    const chunks: Buffer[] = [];
    for (let i = 0; i < big.length; i += 65_536) chunks.push(big.subarray(i, i + 65_536));
    const { sniffer, out } = await sniff(chunks, 100_000);
    expect(out.equals(big)).toBe(true);
    const tail = sniffer.tail;
    expect(tail.bytes.length).toBe(100_000);
    expect(tail.offset).toBe(big.length - 100_000);
    expect(tail.bytes.equals(big.subarray(tail.offset))).toBe(true);
    const names = await zipEntryNames(big.length, async (s, e) => {
      if (s < tail.offset) throw new Error('should be served from the tail');
      return tail.bytes.subarray(s - tail.offset, e - tail.offset);
    });
    expect(zipKind(names)).toBe('docx');
  });
});
