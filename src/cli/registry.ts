import type { CommandSpec } from './command.js';

/** Commands are loaded lazily so `camwarden --help` and small commands start fast. */
export const COMMANDS: Record<string, { summary: string; load: () => Promise<CommandSpec> }> = {
  scan: {
    summary: 'Discover and interrogate ONVIF devices once, classify and decide; changes nothing',
    load: async () => (await import('./commands/scan.js')).scanCommand,
  },
  run: {
    summary: 'The daemon: scheduled scans, enforcement, retention sweeps, MQTT reporting and requests',
    load: async () => (await import('./commands/run.js')).runCommand,
  },
  sweep: {
    summary: 'One retention pass over CAMWARDEN_RECORDINGS_DIR',
    load: async () => (await import('./commands/sweep.js')).sweepCommand,
  },
  'profiles check': {
    summary: 'Validate device-profiles; every problem as file: path.to.field: message',
    load: async () => (await import('./commands/profiles-check.js')).profilesCheckCommand,
  },
  explain: {
    summary: 'Test location tags: zone, action, every reason with its article, and the term that decided',
    load: async () => (await import('./commands/explain.js')).explainCommand,
  },
  plan: {
    summary: 'What-if: each camera whose decision would change under another profiles directory',
    load: async () => (await import('./commands/plan.js')).planCommand,
  },
  'audit verify': {
    summary: 'Verify the hash chain of the audit log; names the first line at fault',
    load: async () => (await import('./commands/audit-verify.js')).auditVerifyCommand,
  },
  demo: {
    summary: 'A simulated site on loopback with an embedded broker, and the agent running against it',
    load: async () => (await import('./commands/demo.js')).demoCommand,
  },
  simulate: {
    summary: 'The ONVIF device simulator alone, for integrators’ own tests',
    load: async () => (await import('./commands/simulate.js')).simulateCommand,
  },
};
