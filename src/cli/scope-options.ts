// The --service/--env options every scoped command shares.
import { Option } from 'clipanion';

export function serviceOption() {
  return Option.String('--service,-s', {
    description: 'the service (when a word could be read two ways)',
  });
}

export function envOption() {
  return Option.String('--env,-e', {
    description: "the environment (default: the project's default env)",
  });
}
