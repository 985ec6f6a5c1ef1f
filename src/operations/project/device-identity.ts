// This device's age identity in $KAGI_HOME: created once, on first need (init, join).

import { generateIdentity, identityToRecipient, parseIdentityFile } from '../../crypto/age.js';
import { KagiError } from '../../errors.js';
import { readDeviceIdentityFile, writeDeviceIdentity } from '../../io/kagi-home.js';

export interface DeviceIdentity {
  identity: string;
  recipient: string;
  created: boolean;
}

export async function ensureDeviceIdentity(home: string, now: Date): Promise<DeviceIdentity> {
  const text = await readDeviceIdentityFile(home);
  if (text !== null) {
    const identity = parseIdentityFile(text);
    if (!identity) {
      throw new KagiError('damaged-identity', `${home}/identity.txt holds no age identity`, {
        hint: 'restore the file from a backup; if it is lost, move it aside and run `git kagi join` to get access again',
      });
    }
    return { identity, recipient: await identityToRecipient(identity), created: false };
  }
  const identity = await generateIdentity();
  const recipient = await identityToRecipient(identity);
  await writeDeviceIdentity(home, identity, recipient, now);
  return { identity, recipient, created: true };
}
