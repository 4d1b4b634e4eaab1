import type { CommandSpec } from '../command.js';

// UNBUILT: replaced by the helper that owns this command.
export const profilesCheckCommand: CommandSpec = {
  name: 'profiles check',
  summary: 'not built yet',
  options: {},
  async run() {
    throw new Error('profiles check: not built yet');
  },
};
