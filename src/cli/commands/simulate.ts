import type { CommandSpec } from '../command.js';

// UNBUILT: replaced by the helper that owns this command.
export const simulateCommand: CommandSpec = {
  name: 'simulate',
  summary: 'not built yet',
  options: {},
  async run() {
    throw new Error('simulate: not built yet');
  },
};
