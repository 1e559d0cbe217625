/**
 * The text of a file a person picks (a CSV to import), in the encodings spreadsheets save:
 * - UTF-16, when the file starts with its byte order mark ("Unicode text"). Read as UTF-8, it
 *   would be every character followed by a NUL, which the server refuses in any text.
 * - UTF-8, with or without a byte order mark ("CSV UTF-8").
 * - Windows-1252 when the bytes are not valid UTF-8: Excel's plain "CSV" on Windows in Western
 *   European languages. Read as UTF-8, its accented letters would become U+FFFD.
 * A leading byte order mark is dropped in every case.
 */
export function decodeTextFile(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}
