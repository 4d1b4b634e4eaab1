/**
 * `<prefix>/<site>/<gateway>/…` → what the message is. Topic levels are device- and operator-supplied text:
 * only plain ids pass (the agent's own rule for site and gateway, docs/identity.md's safe ids for camera ids), never `.` or `..`.
 */
export type TopicRoute =
  | { kind: 'status' | 'inventory' | 'events'; site: string; gateway: string }
  | { kind: 'camera'; site: string; gateway: string; cameraId: string }
  | { kind: 'request' | 'response'; site: string; gateway: string; op: string };

export type TopicProblem = 'unknown-topic' | 'invalid-topic-id';

const SITE_OR_GATEWAY = /^(?!\.\.?$)[A-Za-z0-9_.-]{1,128}$/;
const CAMERA_ID = /^(?!\.\.?$)[A-Za-z0-9._:-]{1,128}$/;
const OP = /^[a-z0-9][a-z0-9/_.-]{0,63}$/;

/** The subscription: every gateway under the prefix, optionally shared among registries. */
export function registryTopicFilter(prefix: string, share: boolean): string {
  return `${share ? '$share/camwarden-registry/' : ''}${prefix}/+/+/#`;
}

export function parseTopic(prefix: string, topic: string): TopicRoute | TopicProblem {
  if (!topic.startsWith(`${prefix}/`)) return 'unknown-topic';
  const levels = topic.slice(prefix.length + 1).split('/');
  const [site, gateway, kind, ...rest] = levels;
  if (site === undefined || gateway === undefined || kind === undefined) return 'unknown-topic';
  if (!SITE_OR_GATEWAY.test(site) || !SITE_OR_GATEWAY.test(gateway)) return 'invalid-topic-id';
  switch (kind) {
    case 'status':
    case 'inventory':
    case 'events':
      return rest.length === 0 ? { kind, site, gateway } : 'unknown-topic';
    case 'cameras': {
      if (rest.length !== 1) return 'unknown-topic';
      const cameraId = rest[0] ?? '';
      return CAMERA_ID.test(cameraId) ? { kind: 'camera', site, gateway, cameraId } : 'invalid-topic-id';
    }
    case 'request':
    case 'response': {
      const op = rest.join('/');
      if (rest.length === 0) return 'unknown-topic';
      return OP.test(op) ? { kind, site, gateway, op } : 'invalid-topic-id';
    }
    default:
      return 'unknown-topic';
  }
}
