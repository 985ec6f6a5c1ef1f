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

/**
 * The parts of an encoding as views into `bytes` (no copies), or null when it is not exactly a
 * sequence of parts.
 */
export function decodeLengthPrefixed(bytes: Uint8Array): Uint8Array[] | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const parts: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (at + 4 > bytes.length) return null;
    const end = at + 4 + view.getUint32(at);
    if (end > bytes.length) return null;
    parts.push(bytes.subarray(at + 4, end));
    at = end;
  }
  return parts;
}
