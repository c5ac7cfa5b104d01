import { fileExtension, sanitizeFileName } from './file-name';

describe('sanitizeFileName', () => {
  it.each([
    ['../../etc/passwd.pdf', 'passwd.pdf'],
    ['..\\..\\windows\\system32\\evil.docx', 'evil.docx'],
    ['/absolute/path/方案.pdf', '方案.pdf'],
    ['..', 'attachment'],
    ['', 'attachment'],
    [undefined, 'attachment'],
    ['.hidden.zip', 'hidden.zip'],
    ['a\u0000b\nc.pdf', 'abc.pdf'],
    ['invoice\u202Efdp.exe', 'invoicefdp.exe'],
    ['a<b>c:d"e|f?g*h.pdf', 'a_b_c_d_e_f_g_h.pdf'],
    ['  揭榜方案（终稿）.docx  ', '揭榜方案（终稿）.docx'],
  ])('%j -> %j', (raw, expected) => expect(sanitizeFileName(raw)).toBe(expected));

  it('caps the length and keeps the extension', () => {
    const name = sanitizeFileName(`${'长'.repeat(500)}.pdf`);
    expect([...name].length).toBe(200);
    expect(name.endsWith('.pdf')).toBe(true);
  });

  it('normalizes to NFC', () => {
    expect(sanitizeFileName('e\u0301.pdf')).toBe('\u00e9.pdf');
  });
});

describe('fileExtension', () => {
  it.each([
    ['a.PDF', 'pdf'],
    ['a.tar.zip', 'zip'],
    ['noext', ''],
    ['trailingdot.', ''],
  ])('%s -> %s', (name, ext) => expect(fileExtension(name)).toBe(ext));
});
