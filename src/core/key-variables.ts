// The environment variables that name a key source (DESIGN §3), in one place: unlocking reads them,
// the runtime removes the ones holding key material from process.env, verify and doctor name them.

/** Every key variable: a project key or an age identity, each given directly or as a file. */
export const KEY_VARIABLES = [
  'KAGI_PROJECT_KEY',
  'KAGI_PROJECT_KEY_FILE',
  'KAGI_IDENTITY',
  'KAGI_IDENTITY_FILE',
] as const;

export type KeyVariable = (typeof KEY_VARIABLES)[number];

/** The ones whose value is key material itself (the others name a file). */
export const KEY_MATERIAL_VARIABLES: readonly KeyVariable[] = ['KAGI_PROJECT_KEY', 'KAGI_IDENTITY'];

/** Variables that give a project key rather than a member's identity. */
export function isProjectKeyVariable(name: string): boolean {
  return name === 'KAGI_PROJECT_KEY' || name === 'KAGI_PROJECT_KEY_FILE';
}
