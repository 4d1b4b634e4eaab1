import mqtt, { type MqttClient } from 'mqtt';

/** Prints a one-line digest of every message under the agent's topic tree, as an operator's console would. */
export interface MqttMonitor {
  readonly count: number;
  stop(): Promise<void>;
}

const DETAIL_KEYS = [
  'cameraId',
  'camera',
  'action',
  'key',
  'kind',
  'code',
  'deleted',
  'quarantined',
  'bytesFreed',
  'held',
  'reason',
  'error',
];
/** Values are cut to keep a line readable; an error says why something did not happen, so it gets more room. */
const MAX_DETAIL = { default: 40, error: 90 } as const;

function eventDetail(value: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const key of DETAIL_KEYS) {
    const v = value[key];
    if (v === undefined || v === null || typeof v === 'object') continue;
    const text = String(v);
    const max = key === 'error' ? MAX_DETAIL.error : MAX_DETAIL.default;
    parts.push(`${key}=${text.length > max ? `${text.slice(0, max - 1)}…` : text}`);
  }
  return parts.length > 0 ? ` ${parts.join(' ')}` : '';
}

function digest(topic: string, payload: Buffer, retained: boolean): string {
  const text = payload.toString('utf8');
  let summary = text.length === 0 ? '(empty: cleared)' : `${payload.length} B`;
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    if (topic.endsWith('/status'))
      summary = `state=${String(value.state)} cameras=${JSON.stringify(value.cameras ?? {})}`;
    else if (topic.endsWith('/inventory'))
      summary = `${Array.isArray(value.cameras) ? value.cameras.length : 0} records`;
    else if (topic.includes('/events'))
      summary = `#${String(value.seq)} ${String(value.type)}${eventDetail(value)}${value.replayed ? ' (replayed)' : ''}`;
    else if (topic.includes('/cameras/')) {
      const decision = value.decision as { action?: string } | undefined;
      summary = `${String((value.location as { zone?: string } | undefined)?.zone ?? '?')} → ${decision?.action ?? '?'}`;
    }
  } catch {
    // non-JSON payloads are shown by size only
  }
  return `  mqtt ${retained ? 'R' : ' '} ${topic.length > 60 ? `…${topic.slice(-59)}` : topic}  ${summary}\n`;
}

export async function startMqttMonitor(
  url: string,
  topicFilter: string,
  out: NodeJS.WritableStream,
  options: {
    username?: string;
    password?: string;
    filter?: (topic: string) => boolean;
    /** Events shown; the others are only counted. */
    showEvent?: (type: string) => boolean;
  } = {},
): Promise<MqttMonitor> {
  const client: MqttClient = await mqtt.connectAsync(url, {
    clientId: `camwarden-demo-monitor-${process.pid}`,
    reconnectPeriod: 1000,
    ...(options.username ? { username: options.username } : {}),
    ...(options.password ? { password: options.password } : {}),
  });
  let count = 0;
  client.on('message', (topic, payload, packet) => {
    count++;
    if (options.filter && !options.filter(topic)) return;
    if (options.showEvent && topic.endsWith('/events')) {
      try {
        const type = (JSON.parse(payload.toString('utf8')) as { type?: string }).type ?? '';
        if (!options.showEvent(type)) return;
      } catch {
        return;
      }
    }
    out.write(digest(topic, payload, packet.retain));
  });
  await client.subscribeAsync(topicFilter, { qos: 1 });
  return {
    get count() {
      return count;
    },
    async stop() {
      await client.endAsync();
    },
  };
}
