/**
 * A feature module of the daemon (Zigbee2MQTT-style extension): constructed with its dependencies injected,
 * does no work until start(), and releases everything in stop().
 */
export interface AgentModule {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Optional health facts shown in /healthz and /metrics. */
  health?(): Record<string, number | string | boolean>;
}
