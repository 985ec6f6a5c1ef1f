// Marked blocks in files we share with the user (.gitignore, .gitattributes, hooks): the block is
// replaced in place when present and appended otherwise, so running twice never duplicates it.

export function upsertMarkedBlock(existing: string, block: string): string {
  const lines = block.trimEnd().split('\n');
  const start = lines[0] as string;
  const end = lines.at(-1) as string;
  const from = existing.indexOf(start);
  if (from !== -1) {
    const to = existing.indexOf(end, from);
    if (to !== -1)
      return existing.slice(0, from) + block.trimEnd() + existing.slice(to + end.length);
  }
  const separator =
    existing === '' || existing.endsWith('\n\n') ? '' : existing.endsWith('\n') ? '\n' : '\n\n';
  return `${existing}${separator}${block.trimEnd()}\n`;
}

export function removeMarkedBlock(existing: string, block: string): string {
  const lines = block.trimEnd().split('\n');
  const start = lines[0] as string;
  const end = lines.at(-1) as string;
  const from = existing.indexOf(start);
  const to = from === -1 ? -1 : existing.indexOf(end, from);
  if (from === -1 || to === -1) return existing;
  const after = existing.slice(to + end.length).replace(/^\n/, '');
  return (existing.slice(0, from).replace(/\n\n$/, '\n') + after).replace(/^\n$/, '');
}
