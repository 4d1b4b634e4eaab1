import type { CommandSpec } from '../command.js';

// UNBUILT: replaced by the helper that owns this command.
export const demoCommand: CommandSpec = {
  name: 'demo',
  summary: 'not built yet',
  options: {},
  async run() {
    throw new Error('demo: not built yet');
  },
};
