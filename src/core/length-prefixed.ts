// The unambiguous concatenation (‖) used for associated data, tags, seals and proofs:
// each part is its UTF-8 bytes preceded by their length as a 4-byte big-endian integer.
// Written in place into one buffer: every store line encodes two of these (tag and associated
// data), and a TextEncoder array per part was a tenth of a large scope's decryption time.

export function encodeLengthPrefixed(parts: ReadonlyArray<string | Uint8Array>): Uint8Array {
  let size = 0;
  for (const part of parts)
    size += 4 + (typeof part === 'string' ? Buffer.byteLength(part, 'utf8') : part.length);
  const bytes = new Uint8Array(size);
  const out = Buffer.from(bytes.buffer, 0, size); // a view, for its UTF-8 writer
  let at = 0;
  for (const part of parts) {
    let length: number;
    if (typeof part === 'string') {
      length = out.write(part, at + 4, 'utf8');
    } else {
      out.set(part, at + 4);
      length = part.length;
    }
    out.writeUInt32BE(length, at);
    at += 4 + length;
  }
  return bytes;
}
