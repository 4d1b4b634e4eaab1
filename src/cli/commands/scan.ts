import type { CommandSpec } from '../command.js';

// UNBUILT: replaced by the helper that owns this command.
export const scanCommand: CommandSpec = {
  name: 'scan',
  summary: 'not built yet',
  options: {},
  async run() {
    throw new Error('scan: not built yet');
  },
};
