import type { CommandSpec } from '../command.js';

// UNBUILT: replaced by the helper that owns this command.
export const planCommand: CommandSpec = {
  name: 'plan',
  summary: 'not built yet',
  options: {},
  async run() {
    throw new Error('plan: not built yet');
  },
};
