const MAX_NAME_LENGTH = 200;

/**
 * The display name of an uploaded file. Never used as a path (storage keys are built from ids), but
 * still cleaned so it is safe to show and to put in a Content-Disposition header later: the last path
 * segment only, no control or invisible formatting characters (bidi overrides), no leading dots, no
 * characters that are reserved in file names, at most 200 characters (the extension is kept).
 */
export function sanitizeFileName(raw: string | undefined | null): string {
  let name = (raw ?? '').normalize('NFC');
  name = name.split(/[/\\]/).pop() ?? '';
  name = name.replace(/[\p{Cc}\p{Cf}]/gu, '');
  name = name.replace(/[<>:"|?*]/g, '_');
  name = name.trim().replace(/^\.+/, '').trim();
  if ([...name].length > MAX_NAME_LENGTH) {
    const chars = [...name];
    const dot = name.lastIndexOf('.');
    const ext = dot > 0 && name.length - dot <= 10 ? name.slice(dot) : '';
    name = chars.slice(0, MAX_NAME_LENGTH - [...ext].length).join('') + ext;
  }
  return name || 'attachment';
}

/** The lower-case extension without the dot, or '' when the name has none. */
export function fileExtension(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}
