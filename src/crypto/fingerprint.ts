// A short, comparable fingerprint of a recipient, read aloud between teammates before approval.
import { createHash } from 'node:crypto';

export function formatFingerprint(recipient: string): string {
  const hex = createHash('sha256').update(recipient).digest('hex').slice(0, 16);
  return (hex.match(/.{4}/g) as string[]).join(' ');
}
