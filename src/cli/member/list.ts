import { Command, Option } from 'clipanion';
import type { Runtime } from '../../runtime.js';
import { KagiCommand, writeOut } from '../base.js';

export class MemberListCommand extends KagiCommand {
  static override paths = [['member', 'list'], ['member']];
  static override usage = Command.Usage({
    category: 'Members',
    description: 'list active, pending and removed members',
    details:
      'Shows name, id, recipient fingerprint and who approved each member. With the key at hand it also checks every seal and flags entries whose seal does not verify (someone without the key edited them).',
    examples: [
      ['Who has access?', 'git kagi member list'],
      ['For scripts', 'git kagi member list --json'],
    ],
  });

  json = Option.Boolean('--json', false, { description: 'machine-readable output' });

  async perform(rt: Runtime) {
    const { listMembers } = await import('../../operations/team/list-members.js');
    const { rows, checked, epoch } = await listMembers(rt);
    if (this.json) {
      writeOut(JSON.stringify({ epoch, seals_checked: checked, members: rows }, null, 2));
      return rows.some((r) => r.seal_ok === false) ? 4 : 0;
    }
    const lines: string[] = [];
    for (const status of ['active', 'pending', 'removed'] as const) {
      const group = rows.filter((r) => r.status === status);
      if (group.length === 0) continue;
      lines.push(`${status}:`);
      for (const r of group) {
        const approved = r.approved_by
          ? `, approved by ${r.approved_by} ${r.approved_at?.slice(0, 10)}`
          : `, requested ${r.requested_at.slice(0, 10)}`;
        const seal = r.seal_ok === false ? '  ✗ SEAL DOES NOT VERIFY: not trusted' : '';
        lines.push(`  ${r.id}  ${r.name}  [${r.fingerprint}]${approved}${seal}`);
      }
    }
    if (!checked) lines.push('(seals not checked: this device has no access)');
    writeOut(lines.join('\n'));
    if (rows.some((r) => r.seal_ok === false)) {
      process.stderr.write(
        'error: some member entries carry a seal that does not verify\nhint: someone without the key edited .kagi/access.json; inspect its git history\n',
      );
      return 4;
    }
    return 0;
  }
}
