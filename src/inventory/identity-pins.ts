import { join } from 'node:path';
import { z } from 'zod';
import type { AgentEvent } from '../model/event-sink.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import { compareText } from '../util/compare.js';
import { CamwardenError, ErrorCode } from '../util/errors.js';
import { readIfPresent } from '../util/read-if-present.js';

/**
 * What a camera proved about itself over an authenticated ONVIF session the first time, bound to its id: the
 * record of that id belongs to this device, at this address, until it proves the same facts elsewhere (a move).
 */
export interface PinnedIdentity {
  id: string;
  /** The EndpointReference it was pinned under, verbatim. */
  endpoint: string;
  address: string;
  /** Its device service URL there: another device claiming its EndpointReference makes the scan check it too. */
  xaddr?: string;
  serial?: string;
  mac?: string;
  hardwareId?: string;
  pinnedAt: string;
}

/** What identity resolution knows before a scan: the pins, and where blocked cameras without a pin are held. */
export interface IdentityContext {
  pins: readonly PinnedIdentity[];
  /** id → address of cameras that were `block` at the last decision and have no pin: they stay at that address. */
  held?: Readonly<Record<string, string>>;
}

/** What identity resolution reports (model/event-types.ts has the fields). */
export type IdentityEvent = Extract<AgentEvent, { type: 'identity.conflict' | 'identity.moved' }>;

/** Pins created or changed by one scan, and the events that say so. */
export interface IdentityOutcome {
  pins: PinnedIdentity[];
  events: IdentityEvent[];
}

const pinSchema = z.object({
  id: z.string().min(1),
  endpoint: z.string(),
  address: z.string().min(1),
  xaddr: z.string().optional(),
  serial: z.string().optional(),
  mac: z.string().optional(),
  hardwareId: z.string().optional(),
  pinnedAt: z.string(),
});
const fileSchema = z.object({ version: z.literal(1), pins: z.array(pinSchema) });

/** The identity context of the next scan: the pins, and where each unpinned blocked camera is held. */
export function identityContext(
  pins: readonly PinnedIdentity[],
  lastCameras: readonly { id: string; address: string; parent?: string | null; decision: { action: string } }[] = [],
): IdentityContext {
  const pinned = new Set(pins.map((p) => p.id));
  const held: Record<string, string> = {};
  for (const c of lastCameras) {
    if (c.decision.action === 'block' && c.parent == null && !pinned.has(c.id)) held[c.id] = c.address;
  }
  return { pins, held };
}

export function identityPinsPath(dataDir: string): string {
  return join(dataDir, 'identity-pins.json');
}

/**
 * `<dataDir>/identity-pins.json`. A missing file is no pins; a corrupt one is an error, never read as "no pins"
 * (that would let the next claimant pin itself in the camera's place).
 */
export async function readIdentityPins(dataDir: string): Promise<PinnedIdentity[]> {
  const path = identityPinsPath(dataDir);
  const text = await readIfPresent(path);
  if (text === undefined) return [];
  let parsed: ReturnType<typeof fileSchema.safeParse>;
  try {
    parsed = fileSchema.safeParse(JSON.parse(text));
  } catch {
    throw new CamwardenError(ErrorCode.InvalidConfig, `${path}: not valid JSON`);
  }
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CamwardenError(ErrorCode.InvalidConfig, `${path}: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  return parsed.data.pins.map((p) => {
    const pin: PinnedIdentity = { id: p.id, endpoint: p.endpoint, address: p.address, pinnedAt: p.pinnedAt };
    if (p.xaddr !== undefined) pin.xaddr = p.xaddr;
    if (p.serial !== undefined) pin.serial = p.serial;
    if (p.mac !== undefined) pin.mac = p.mac;
    if (p.hardwareId !== undefined) pin.hardwareId = p.hardwareId;
    return pin;
  });
}

export async function writeIdentityPins(dataDir: string, pins: readonly PinnedIdentity[]): Promise<void> {
  const sorted = [...pins].sort((a, b) => compareText(a.id, b.id));
  await writeFileAtomic(identityPinsPath(dataDir), `${JSON.stringify({ version: 1, pins: sorted }, null, 2)}\n`, 0o600);
}

/** `pins` with `changes` replacing the pins of the same id. */
export function mergePins(pins: readonly PinnedIdentity[], changes: readonly PinnedIdentity[]): PinnedIdentity[] {
  const byId = new Map(pins.map((p) => [p.id, p]));
  for (const c of changes) byId.set(c.id, c);
  return [...byId.values()];
}
