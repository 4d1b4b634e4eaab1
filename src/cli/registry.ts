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
  'profiles sign': {
    summary: 'Sign a device-profiles directory (manifest.json + manifest.sig) for gateways with profileKeysFile',
    load: async () => (await import('./commands/profiles-sign.js')).profilesSignCommand,
  },
  'keys generate': {
    summary: 'Create an Ed25519 key pair for signed requests and profile bundles; prints the keyId',
    load: async () => (await import('./commands/keys-generate.js')).keysGenerateCommand,
  },
  request: {
    summary: 'Send a signed request to a gateway over MQTT, wait for its response and print it',
    load: async () => (await import('./commands/request.js')).requestCommand,
  },
  schema: {
    summary: 'Print the JSON Schema of a payload (scan, status, inventory, camera, event, request, response)',
    load: async () => (await import('./commands/schema.js')).schemaCommand,
  },
  plan: {
    summary: 'What-if: each camera whose decision would change under another profiles directory',
    load: async () => (await import('./commands/plan.js')).planCommand,
  },
  'audit verify': {
    summary: 'Verify the hash chain of the audit log; names the first line at fault',
    load: async () => (await import('./commands/audit-verify.js')).auditVerifyCommand,
  },
  registry: {
    summary: 'The central registry: stores what gateways publish; JSON API, fleet page, site compliance reports',
    load: async () => (await import('./commands/registry.js')).registryCommand,
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
