import type { CommandSpec } from '../command.js';

// UNBUILT: replaced by the helper that owns this command.
export const runCommand: CommandSpec = {
  name: 'run',
  summary: 'not built yet',
  options: {},
  async run() {
    throw new Error('run: not built yet');
  },
};
