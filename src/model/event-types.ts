/**
 * Event types this version knows, with what each carries besides the envelope. Consumers must accept types not
 * listed here: new ones are added without a schema change.
 */
export const KNOWN_EVENT_TYPES = {
  'camera.added': 'cameraId, kind, address, zone, action',
  'camera.removed': 'cameraId, kind, address, lastAction',
  'camera.changed': 'cameraId and what changed',
  'decision.changed': 'cameraId, previousAction, action, reasons, zone',
  'identity.conflict':
    'a device claims a camera’s EndpointReference without its pinned facts: endpoint, cameraId, address, ' +
    'claimantId, claimantAddress, addresses, reason',
  'identity.moved':
    'a pinned camera proved its identity at a new address: cameraId, endpoint, previousAddress, address',
  'block.released':
    'an operator lifted a sticky block by a signed request: cameraId, address, keyId, transaction, reason, unit, ' +
    'name, previousAction',
  'enforcement.planned': 'dry-run: the action that would have been taken',
  'enforcement.applied': 'an isolation, lever or hook took effect',
  'enforcement.reverted': 'an action was undone',
  'enforcement.failed': 'an action or undo failed (retried with backoff)',
  'retention.swept': 'summary of one retention pass',
  'retention.shortfall': 'footage kept for less than the required days',
  'retention.refused': 'a sweep refused to delete (e.g. implausible clock)',
  'retention.quarantined': 'footage of a blocked camera moved to quarantine',
  'retention.mismatch': 'recorder retention differs from the site’s',
  'quarantine.expired': 'quarantined footage reached the end of its keeping period',
  'profiles.applied': 'a new device-profiles set is active: revision',
  'profiles.rejected': 'a device-profiles set was refused: problems',
  'request.handled': 'op, transaction, keyId, status (and code on error)',
  'request.refused': 'op, transaction, code (unauthorized, expired, replayed, …), message',
  'hello.dropped': 'WS-Discovery Hello messages dropped past a rate bound',
  'audit.appended': 'an audit entry was written',
  'outbox.alarm': 'the outbox depth reached its alarm threshold',
  'scan.completed': 'summary of one scan',
  'agent.started': 'the agent started',
  'agent.stopping': 'the agent is stopping',
} as const satisfies Record<string, string>;

export type KnownEventType = keyof typeof KNOWN_EVENT_TYPES;
