// The unambiguous concatenation (‖) used for associated data, tags, seals and proofs:
// each part is its UTF-8 bytes preceded by their length as a 4-byte big-endian integer.

const encoder = new TextEncoder();

export function encodeLengthPrefixed(parts: ReadonlyArray<string | Uint8Array>): Uint8Array {
  const bytes = parts.map((p) => (typeof p === 'string' ? encoder.encode(p) : p));
  const out = new Uint8Array(bytes.reduce((n, b) => n + 4 + b.length, 0));
  const view = new DataView(out.buffer);
  let at = 0;
  for (const b of bytes) {
    view.setUint32(at, b.length);
    out.set(b, at + 4);
    at += 4 + b.length;
  }
  return out;
}
