import type { CommandSpec } from '../command.js';

// UNBUILT: replaced by the helper that owns this command.
export const sweepCommand: CommandSpec = {
  name: 'sweep',
  summary: 'not built yet',
  options: {},
  async run() {
    throw new Error('sweep: not built yet');
  },
};
