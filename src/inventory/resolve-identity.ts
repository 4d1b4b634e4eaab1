/**
 * Which device owns which id. Several devices may claim one EndpointReference (one host with several addresses, a
 * camera that moved, or an impostor): all of them are listed, and the id goes only to the one that matches what was
 * pinned on first authenticated contact. The rules are written down in docs/identity.md.
 */

import type { DeviceError, DeviceReport } from '../model/camera-records.js';
import { ErrorCode } from '../util/errors.js';
import { derivedId } from '../util/safe-id.js';
import { macFromScopes } from './identity.js';
import type { IdentityContext, IdentityOutcome, PinnedIdentity } from './identity-pins.js';

/**
 * The id a report's records get and, when it is not the id it claimed, the errors that say why: every claimant that
 * does not own the id carries `duplicate-endpoint` (naming the other addresses), and one that does not prove the
 * owner's facts `identity-conflict` as well.
 */
export interface Claim {
  id: string;
  errors: DeviceError[];
}

interface Facts {
  serial?: string;
  mac?: string;
  hardwareId?: string;
}

interface Candidate {
  report: DeviceReport;
  address: string;
  /** Identity proved over an authenticated session; undefined when nothing was proved. */
  facts: Facts | undefined;
}

const normMac = (mac: string) => mac.toLowerCase().replace(/[^0-9a-f]/g, '');

function factsOf(report: DeviceReport): Facts | undefined {
  if (!report.authenticated) return undefined;
  const facts: Facts = {};
  const serial = report.serial?.trim();
  const mac = report.mac ?? macFromScopes(report.scopes);
  const hardwareId = report.hardwareId?.trim();
  if (serial) facts.serial = serial;
  if (mac && normMac(mac) !== '') facts.mac = normMac(mac);
  if (hardwareId) facts.hardwareId = hardwareId;
  return facts;
}

/**
 * Whether proved facts are those of `pin`: no fact known to both differs, and a serial or MAC agrees. A camera that
 * proves neither (it reports no serial and no MAC) matches only at its pinned address.
 */
function matchesPin(c: Candidate, pin: PinnedIdentity): boolean {
  if (!c.facts) return false;
  let strong = 0;
  for (const key of ['serial', 'mac', 'hardwareId'] as const) {
    const mine = c.facts[key];
    const pinned = key === 'mac' && pin.mac !== undefined ? normMac(pin.mac) : pin[key];
    if (mine === undefined || pinned === undefined) continue;
    if (mine !== pinned) return false;
    if (key !== 'hardwareId') strong++;
  }
  return strong > 0 || c.address === pin.address;
}

/**
 * The device at a pinned address still speaks ONVIF there although it proved nothing: it told its clock, refused our
 * login, faulted or named itself. A camera that really moved leaves silence (or some other host) behind.
 */
function answersOnvif(report: DeviceReport): boolean {
  return (
    report.clockSkewMs !== undefined ||
    report.manufacturer !== undefined ||
    report.serial !== undefined ||
    report.errors.some((e) => e.code === ErrorCode.Unauthorized || e.code === ErrorCode.SoapFault)
  );
}

function sameFacts(a: Facts, b: Facts): boolean {
  return a.serial === b.serial && a.mac === b.mac && a.hardwareId === b.hardwareId;
}

function byAddress(a: Candidate, b: Candidate): number {
  return a.address < b.address ? -1 : a.address > b.address ? 1 : 0;
}

/**
 * Assigns an id to every report. `baseId(report)` is the id its EndpointReference (or serial and MAC) gives. Within
 * one base id:
 * - with a pin, the owner is the candidate proving the pinned facts at the pinned address; else the one address
 *   proving them elsewhere, a move, unless the pinned address still answers ONVIF; else an unauthenticated
 *   candidate at the pinned address (it cannot prove otherwise; its record keeps the id and whatever block it had);
 * - without a pin, a held camera (blocked before) stays with the candidate at its address; otherwise a lone
 *   candidate owns the id, and several own it only if the authenticated ones agree on their facts.
 * Every other candidate is listed under a derived id of its own; one that does not prove the owner's facts is a
 * conflict (an error on its record and an `identity.conflict` event naming both addresses).
 */
export function resolveIdentities(
  reports: readonly DeviceReport[],
  baseId: (report: DeviceReport) => string,
  ctx: IdentityContext,
  now: Date,
): { claims: Map<DeviceReport, Claim>; outcome: IdentityOutcome } {
  const pins = new Map(ctx.pins.map((p) => [p.id, p]));
  const groups = new Map<string, Candidate[]>();
  for (const report of reports) {
    const id = baseId(report);
    const list = groups.get(id) ?? [];
    list.push({ report, address: report.discovered.address, facts: factsOf(report) });
    groups.set(id, list);
  }
  const claims = new Map<DeviceReport, Claim>();
  const outcome: IdentityOutcome = { pins: [], events: [] };

  for (const [id, candidates] of groups) {
    candidates.sort(byAddress);
    const pin = pins.get(id);
    const heldAt = pin ? undefined : ctx.held?.[id];
    let owner: Candidate | undefined;
    // The pinned facts are the device's word, so proving them elsewhere is a move only when it is unambiguous: the
    // pinned address given up (nothing answers ONVIF there) and one address proving them. Otherwise every prover
    // elsewhere is a conflict, and the id stays at the pinned address (docs/identity.md).
    let contested: string | undefined;
    if (pin) {
      const proving = candidates.filter((c) => matchesPin(c, pin));
      const unproved = candidates.find((c) => c.address === pin.address && !c.facts);
      const atPin = proving.find((c) => c.address === pin.address);
      const elsewhere = new Set(proving.map((c) => c.address));
      if (!atPin && unproved && answersOnvif(unproved.report)) {
        contested =
          'that camera still answers at its pinned address (without authenticating), so serial/MAC proved elsewhere are not taken for a move';
      } else if (!atPin && elsewhere.size > 1) {
        contested = `devices at ${elsewhere.size} other addresses prove the serial/MAC pinned for it, so none is taken for a move`;
      }
      owner = atPin ?? (contested === undefined ? proving[0] : undefined) ?? unproved;
    } else if (heldAt !== undefined) {
      owner = candidates.find((c) => c.address === heldAt);
    } else if (candidates.length === 1) {
      owner = candidates[0];
    } else {
      const proved = candidates.filter((c) => c.facts);
      const first = proved[0]?.facts;
      if (first && proved.every((c) => c.facts && sameFacts(c.facts, first))) owner = proved[0];
    }
    const ownerAddress = pin?.address ?? heldAt ?? owner?.address ?? null;

    for (const c of candidates) {
      if (c === owner) {
        claims.set(c.report, { id, errors: [] });
        continue;
      }
      const claimantId = derivedId('claim', `${id}|${c.address}`);
      const others = candidates.filter((o) => o !== c).map((o) => o.address);
      const duplicate: DeviceError = {
        code: ErrorCode.DuplicateEndpoint,
        message: `EndpointReference ${c.report.discovered.endpoint.slice(0, 256)} also answered from ${others.join(', ') || ownerAddress}; listed under an id of its own`,
      };
      const sameDevice = pin
        ? matchesPin(c, pin) && contested === undefined
        : !!(owner?.facts && c.facts && sameFacts(owner.facts, c.facts));
      if (sameDevice) {
        // The same camera answering at another address too: listed under that address, no conflict.
        claims.set(c.report, { id: claimantId, errors: [duplicate] });
        continue;
      }
      const why = !c.facts
        ? 'it could not prove its identity over an authenticated session'
        : contested !== undefined && pin && matchesPin(c, pin)
          ? contested
          : pin
            ? 'its serial/MAC differ from those pinned for that id'
            : 'other devices claim the same EndpointReference with other serial/MAC';
      const where = ownerAddress === null ? '' : ` (at ${ownerAddress})`;
      const message = `claims the EndpointReference of camera ${id}${where}, but ${why}; listed as a device of its own`;
      claims.set(c.report, {
        id: claimantId,
        errors: [duplicate, { code: ErrorCode.IdentityConflict, message }],
      });
      const addresses = [...new Set([...(ownerAddress === null ? others : [ownerAddress]), c.address])];
      outcome.events.push({
        type: 'identity.conflict',
        data: {
          endpoint: c.report.discovered.endpoint,
          cameraId: id,
          address: ownerAddress,
          claimantId,
          claimantAddress: c.address,
          addresses,
          reason: why,
        },
      });
    }

    if (owner?.facts) {
      const pinned = pinFrom(id, owner, pin, now);
      if (pin && pin.address !== owner.address) {
        outcome.events.push({
          type: 'identity.moved',
          data: {
            cameraId: id,
            endpoint: owner.report.discovered.endpoint,
            previousAddress: pin.address,
            address: owner.address,
          },
        });
      }
      if (!pin || !samePin(pinned, pin)) outcome.pins.push(pinned);
    }
  }
  return { claims, outcome };
}

/** A new pin, or the old one at the owner's address with facts it had not reported before filled in. */
function pinFrom(id: string, owner: Candidate, pin: PinnedIdentity | undefined, now: Date): PinnedIdentity {
  const facts = owner.facts ?? {};
  const next: PinnedIdentity = {
    id,
    endpoint: pin?.endpoint ?? owner.report.discovered.endpoint,
    address: owner.address,
    pinnedAt: pin?.pinnedAt ?? now.toISOString(),
  };
  if (owner.report.xaddr) next.xaddr = owner.report.xaddr;
  const serial = pin?.serial ?? facts.serial;
  const mac = pin?.mac ?? facts.mac;
  const hardwareId = pin?.hardwareId ?? facts.hardwareId;
  if (serial !== undefined) next.serial = serial;
  if (mac !== undefined) next.mac = mac;
  if (hardwareId !== undefined) next.hardwareId = hardwareId;
  return next;
}

function samePin(a: PinnedIdentity, b: PinnedIdentity): boolean {
  return (
    a.address === b.address &&
    a.xaddr === b.xaddr &&
    a.endpoint === b.endpoint &&
    a.serial === b.serial &&
    a.mac === b.mac &&
    a.hardwareId === b.hardwareId
  );
}
