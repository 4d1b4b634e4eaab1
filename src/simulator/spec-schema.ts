import { isIPv4 } from 'node:net';
import { z } from 'zod';
import { CamwardenError, ErrorCode } from '../util/errors.js';
import type { SimSiteSpec } from './index.js';

const FAULT_KINDS = [
  'hang',
  'huge-body',
  'entity-bomb',
  'invalid-xml',
  'spoof-relates-to',
  'foreign-xaddr',
  'digest-only',
  'clock-skew',
  'non-onvif',
  'slow',
  'soap-fault-on',
  'oversized-datagram',
  'single-service',
  'token-mismatch',
  'regex-bomb',
  'scope-flood',
] as const;

export const FAULT_KIND_LIST: readonly string[] = FAULT_KINDS;
/** The longest a simulated device may take for each answer (SimDeviceSpec.answerDelayMs). */
export const MAX_ANSWER_DELAY_MS = 10_000;

const ipv4 = z.string().refine((s) => isIPv4(s), 'must be an IPv4 address');
const port = z.number().int().min(0).max(65535);

const deviceSchema = z
  .object({
    name: z.string().min(1).max(128).optional(),
    vendor: z.enum(['axis', 'hikvision', 'dahua', 'bosch', 'milesight', 'uniview', 'generic']),
    kind: z.enum(['camera', 'nvr']).optional(),
    address: ipv4,
    httpPort: port.optional(),
    /** Any text: hostile devices choose odd EndpointReferences ('urn:uuid:..', 'a/b', '#', 500 characters…). */
    endpoint: z.string().min(1).max(4096).optional(),
    /** An impostor: answers with the EndpointReference of the device of this name (its own identity otherwise). */
    impersonate: z.string().min(1).max(128).optional(),
    manufacturer: z.string().max(256).optional(),
    model: z.string().max(256).optional(),
    firmware: z.string().max(256).optional(),
    serial: z.string().max(256).optional(),
    hardwareId: z.string().max(256).optional(),
    mac: z.string().max(64).optional(),
    scopes: z.array(z.string().min(1).max(4096).regex(/^\S+$/, 'a scope has no whitespace')).optional(),
    geo: z
      .object({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) })
      .strict()
      .optional(),
    auth: z
      .object({
        mode: z.enum(['none', 'ws-security', 'digest-only', 'both']),
        username: z.string().min(1),
        password: z.string(),
        createdToleranceMs: z.number().int().min(-1).optional(),
      })
      .strict()
      .optional(),
    clockSkewMs: z.number().int().optional(),
    channels: z
      .array(
        z
          .object({
            token: z.string().min(1).max(64),
            name: z.string().max(256).optional(),
            location: z.string().max(256).optional(),
            description: z.string().max(1024).optional(),
            maximumRetentionTime: z.string().regex(/^-?P/, 'an ISO-8601 duration such as P30D').optional(),
            recordedDays: z.number().min(0).max(36_500).optional(),
          })
          .strict(),
      )
      .min(1)
      .max(256)
      .optional(),
    faults: z.array(z.looseObject({ kind: z.enum(FAULT_KINDS) })).optional(),
    multicastInterface: ipv4.optional(),
    announceTo: z.array(z.string().min(1)).optional(),
    discoveryPort: port.optional(),
    multicastReplyDelayMs: z.number().int().min(0).max(5000).optional(),
    answerDelayMs: z.number().int().min(0).max(MAX_ANSWER_DELAY_MS).optional(),
    extraAddresses: z.array(ipv4).max(16).optional(),
    ipv6: z.array(z.string().max(128)).max(1024).optional(),
  })
  .strict();

const siteSchema = z
  .object({
    devices: z.array(deviceSchema).max(4096),
    maxRecordedCalls: z.number().int().min(0).optional(),
  })
  .strict();

/** A bad site spec: names the field at fault, e.g. `devices.3.vendor: Invalid option`. */
export class SimSpecError extends CamwardenError {
  constructor(message: string) {
    super(ErrorCode.BadUsage, message);
    this.name = 'SimSpecError';
  }
}

/** Validates an untrusted site spec (YAML/JSON from a file); also refuses two devices on one address and port. */
export function parseSiteSpec(input: unknown): SimSiteSpec {
  const r = siteSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : '(root)';
    throw new SimSpecError(`${where}: ${issue?.message ?? 'invalid'}`);
  }
  const spec = r.data as SimSiteSpec;
  spec.devices.forEach((d, i) => {
    if (d.impersonate === undefined) return;
    const victim = spec.devices.find((v) => v !== d && (v.name ?? '') === d.impersonate);
    if (!victim) throw new SimSpecError(`devices.${i}.impersonate: no other device is named ${d.impersonate}`);
    if (victim.impersonate !== undefined) {
      throw new SimSpecError(`devices.${i}.impersonate: ${d.impersonate} is an impostor itself`);
    }
  });
  const seenHttp = new Map<string, number>();
  const seenUdp = new Map<string, number>();
  spec.devices.forEach((d, i) => {
    for (const [field, address] of [
      ['address', d.address],
      ...(d.extraAddresses ?? []).map((a, j) => [`extraAddresses.${j}`, a]),
    ] as const) {
      const http = `${address}:${d.httpPort ?? 80}`;
      const udp = `${address}:${d.discoveryPort ?? 3702}`;
      const prevHttp = seenHttp.get(http);
      if (prevHttp !== undefined && d.httpPort !== 0) {
        throw new SimSpecError(`devices.${i}.${field}: ${http} is already used by devices.${prevHttp}`);
      }
      const prevUdp = seenUdp.get(udp);
      if (prevUdp !== undefined) {
        throw new SimSpecError(`devices.${i}.${field}: ${udp}/udp is already used by devices.${prevUdp}`);
      }
      seenHttp.set(http, i);
      seenUdp.set(udp, i);
    }
  });
  return spec;
}
