// The textconv view of a store (DESIGN §5): secret names with a short fingerprint of each value,
// never a value. The fingerprint key derives from the project's first root key, so a rotation,
// which re-encrypts every line, shows no change in `git diff`.
import { encodeLengthPrefixed } from '../../core/length-prefixed.js';
import { parseStore } from '../../core/store.js';
import { computeHmac } from '../../crypto/keys.js';
import { decryptSecret } from '../../crypto/secret-line.js';
import type { Runtime } from '../../runtime.js';
import { findMergeKeys, type MergeKeys } from '../project/merge-keys.js';
import { readProject } from '../project/read-project.js';

export function formatValueFingerprint(keys: MergeKeys, value: string): string {
  const first = keys.forEpoch(1) ?? keys.top;
  return Buffer.from(
    computeHmac(first.fingerprint, encodeLengthPrefixed([value])).subarray(0, 4),
  ).toString('hex');
}

export async function renderStoreForDiff(rt: Runtime, text: string): Promise<string> {
  const header = /^# git-kagi store (\S+) /.exec(text);
  if (!header) return '(not a git-kagi store)\n';
  const scopeName = header[1] as string;
  let lines: ReturnType<typeof parseStore>;
  try {
    lines = parseStore(text, scopeName, scopeName);
  } catch {
    return `# ${scopeName}: malformed store (run git kagi verify)\n`;
  }
  const project = await readProject(rt).catch(() => null);
  const keys = project ? await findMergeKeys(rt, project).catch(() => null) : null;
  const env = scopeName.slice(scopeName.lastIndexOf('/') + 1);
  const rows: string[] = [];
  let hidden = 0;
  for (const line of lines) {
    const epochKeys = keys?.forEpoch(line.epoch);
    if (!keys || !epochKeys || !project) {
      hidden++;
      continue;
    }
    try {
      const record = decryptSecret(
        epochKeys.env(env),
        { projectId: project.access.project_id, scope: scopeName, epoch: line.epoch },
        line,
        scopeName,
      );
      rows.push(`${record.name} = fp:${formatValueFingerprint(keys, record.value)}`);
    } catch {
      rows.push(`(a line that fails to decrypt: ${line.tag})`);
    }
  }
  rows.sort();
  const note =
    hidden > 0 ? `\n(${hidden} secret(s) not shown: no key for them on this device)` : '';
  return `# ${scopeName}\n${rows.join('\n')}${rows.length ? '\n' : ''}${note}${note ? '\n' : ''}`;
}
