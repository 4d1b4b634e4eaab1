import type { AgentOptions } from '../../src/agent/agent.js';
import type { CameraRecord } from '../../src/model/camera-records.js';
import { MemoryEventSink } from '../../src/model/event-sink.js';

/**
 * Agent ports that do nothing but what a test asks: no audit, no broker, a policy that keeps every decision as it
 * is, and enforcement that only hands the records to `reconcile`. For tests of one part of the agent.
 */
export function quietPorts(
  reconcile: (records: readonly CameraRecord[]) => Promise<void> = async () => undefined,
): Pick<AgentOptions, 'audit' | 'reporting' | 'policy' | 'enforcement'> {
  return {
    audit: { name: 'audit', start: async () => undefined, stop: async () => undefined, append: async () => undefined },
    reporting: {
      name: 'reporting',
      events: new MemoryEventSink(),
      start: async () => undefined,
      stop: async () => undefined,
      outboxDepth: () => 0,
      seedInventory: () => undefined,
      publishInventory: async () => undefined,
    },
    policy: {
      name: 'policy',
      start: async () => undefined,
      stop: async () => undefined,
      current: () => undefined,
      revision: () => 'r1',
      decide: (r) => r,
      reload: async () => ({ revision: 'r1', problems: [] }),
    },
    enforcement: { name: 'enforce', start: async () => undefined, stop: async () => undefined, reconcile },
  };
}
