// Plaintext env files that must never be committed (DESIGN §5): `.env`, `.env.*`, `*.env`, except
// the documented examples `.env.example`, `.env.sample` and `.env.template`.

const EXAMPLES = new Set(['.env.example', '.env.sample', '.env.template']);

export function isPlaintextEnvFile(file: string): boolean {
  const base = file.slice(file.lastIndexOf('/') + 1);
  if (EXAMPLES.has(base)) return false;
  return base === '.env' || base.startsWith('.env.') || (base.endsWith('.env') && base.length > 4);
}
