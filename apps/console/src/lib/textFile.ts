/**
 * The text of a file a person picks (a CSV to import): UTF-8, or UTF-16 when the file starts
 * with its byte order mark, as spreadsheets save "Unicode text". Read as UTF-8, a UTF-16 file
 * would be every character followed by a NUL, which the server refuses in any text.
 * A leading byte order mark is dropped in every case.
 */
export function decodeTextFile(bytes: Uint8Array): string {
  const encoding =
    bytes[0] === 0xff && bytes[1] === 0xfe
      ? 'utf-16le'
      : bytes[0] === 0xfe && bytes[1] === 0xff
        ? 'utf-16be'
        : 'utf-8';
  return new TextDecoder(encoding).decode(bytes);
}
