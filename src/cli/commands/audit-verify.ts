import type { CommandSpec } from '../command.js';

// UNBUILT: replaced by the helper that owns this command.
export const auditVerifyCommand: CommandSpec = {
  name: 'audit verify',
  summary: 'not built yet',
  options: {},
  async run() {
    throw new Error('audit verify: not built yet');
  },
};
