/**
 * Enforcement's footage quarantine (docs/retention.md): a blocked camera's footage is moved out of the recordings
 * into the quarantine area by a sweep limited to that camera; it expires there after the pack's quarantine days
 * (sweep-walk.ts) unless held; when the block ends it is moved back. Every release goes into the audit log's
 * register: who (unit, name, signing key), why, when, and what was moved.
 */
import { realpath } from 'node:fs/promises';
import { CamwardenError, ErrorCode } from '../util/errors.js';
import { assertSafeId } from '../util/safe-id.js';
import { DirHandle } from './dir-handle.js';
import type { RecordingLayout } from './layout-schema.js';
import { type CompiledLayout, compileLayout, matchSegment } from './layouts.js';
import { FROM_SOURCES, inWorker, one, quarantineDirFor, type SweepOptions, sweep } from './sweep.js';
import { mayBeShared, quarantineName, type SweepError, safeName, sweepError } from './sweep-plan.js';

/** Who released a camera's quarantine (the operator's unit, name and signing key), and why (`decision-changed`). */
export type ReleaseAuthority = { reason: string; unit?: string; name?: string; keyId?: string };

export interface FootageQuarantine {
  quarantine(cameraId: string): Promise<void>;
  release(cameraId: string, by: ReleaseAuthority): Promise<unknown>;
}

/**
 * `layout` and `names` (the recordings directories that are this camera's: its id unless another camera's alias,
 * its alias) tell its footage apart in a folder that may be shared (mayBeShared).
 */
export type ReleasePlan = {
  root: string;
  quarantineDir: string;
  camera: string;
  layout: RecordingLayout;
  names: string[];
};

/** Moved back (relative paths below the root); kept: a file of that name is back in the recordings, or not regular. */
export type ReleaseOutcome = {
  moved: number;
  bytes: number;
  paths: string[];
  kept: Array<{ path: string; reason: string }>;
  errors: SweepError[];
};

export class TreeFootageQuarantine implements FootageQuarantine {
  /** `base` gives the options every sweep uses (the daemon's, from buildSweepOptions). */
  constructor(private readonly base: () => Promise<SweepOptions>) {}

  async quarantine(cameraId: string): Promise<void> {
    assertSafeId(cameraId, 'quarantine'); // the sinks refuse what the id rules should never have let through
    const r = await sweep({ ...(await this.base()), quarantineOnly: cameraId, dryRun: false });
    if (r.errors.length > 0) {
      // enforcement retries a failed action: footage left in place is not quarantined
      const first = r.errors[0];
      const what = `${first?.path ?? ''} ${first?.code}: ${first?.message}`;
      throw new CamwardenError(ErrorCode.EnforcementFailed, `quarantine of ${cameraId}: ${what}`);
    }
  }

  /** Moves the camera's footage back to where it was (never over a file) and registers the release. */
  async release(cameraId: string, by: ReleaseAuthority): Promise<ReleaseOutcome> {
    assertSafeId(cameraId, 'quarantine release');
    const opts = await this.base();
    const root = await realpath(opts.root);
    const quarantineDir = await quarantineDirFor(root, opts.quarantineDir);
    const plan: ReleasePlan = {
      root,
      quarantineDir,
      camera: cameraId,
      layout: opts.layout,
      names: ownNames(opts, cameraId),
    };
    const who = { reason: by.reason, unit: by.unit ?? null, name: by.name ?? null, keyId: by.keyId ?? null };
    const where = { root, quarantineDir, camera: cameraId };
    // Footage leaves quarantine only once the register holds who and why: an audit log that cannot be written
    // stops the release, and a crash during the move still leaves its entry (docs/audit.md).
    if (opts.audit) await opts.audit.append('quarantine', { event: 'releasing', ...where, ...who });
    const script = opts.workerScript;
    const out = await one(async () =>
      FROM_SOURCES && !script
        ? runRelease(plan)
        : inWorker<ReleaseOutcome>({ op: 'release', plan }, () => {}, undefined, script),
    );
    // the register (Art 16): who, why, when (the entry's time), and what went back
    const what = { files: out.moved, bytes: out.bytes, kept: out.kept.length, paths: out.paths };
    await opts.audit?.append('quarantine', { event: 'released', ...where, ...who, ...what });
    return out;
  }
}

/** The recordings directories that hold this camera's footage, as the sweep resolves them (alias first). */
function ownNames(opts: SweepOptions, cameraId: string): string[] {
  const nfc = (s: string) => s.normalize('NFC');
  const alias = opts.cameras.find((c) => c.id === cameraId)?.recordingName;
  const aliasOfOther = opts.cameras.some(
    (c) => c.id !== cameraId && c.recordingName && nfc(c.recordingName) === nfc(cameraId),
  );
  return [...(aliasOfOther ? [] : [cameraId]), ...(alias !== undefined ? [alias] : [])].map(nfc);
}

/** Whose footage a folder holds: all of it is the camera's, or (a shared folder) only what its path says is. */
type Owner = { layout: CompiledLayout; names: ReadonlySet<string> } | undefined;

/**
 * The release walk (in the worker): `<quarantine>/<folder>/<path>` back to `<root>/<path>`, through handles. The
 * camera's folder (quarantineName), then the one named before that (safeName) when it differs. From a folder that
 * may hold other cameras' footage (mayBeShared), only what its path files under this camera goes back.
 */
export function runRelease(plan: ReleasePlan): ReleaseOutcome {
  const out: ReleaseOutcome = { moved: 0, bytes: 0, paths: [], kept: [], errors: [] };
  const root = DirHandle.openTop(plan.root);
  try {
    const top = DirHandle.openTop(plan.quarantineDir);
    for (const folder of new Set([quarantineName(plan.camera), safeName(plan.camera)])) {
      let src: DirHandle;
      try {
        src = top.openChild(folder); // on a throw, the job's end closes `top`
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw err;
      }
      const shared = mayBeShared(folder)
        ? { layout: compileLayout(plan.layout), names: new Set(plan.names) }
        : undefined;
      moveBack(src, root, plan, out, 0, shared);
      src.unref(); // removes the camera's directory if that emptied it
    }
    top.unref();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') out.errors.push(sweepError(plan.quarantineDir, err));
  }
  root.unref();
  return out;
}

/** Is this entry, at the layout's camera level, a directory (or file) of the camera being released? */
function owns(owner: NonNullable<Owner>, name: string): boolean {
  const seg = owner.layout.segments[owner.layout.cameraDepth];
  const camera = seg ? matchSegment(seg, name, {})?.camera : undefined;
  return camera !== undefined && owner.names.has(camera.normalize('NFC'));
}

function moveBack(
  src: DirHandle,
  dest: DirHandle,
  plan: ReleasePlan,
  out: ReleaseOutcome,
  depth: number,
  owner: Owner,
): void {
  for (const e of src.list()) {
    const rel = dest.relOf(e.name);
    const atCamera = owner !== undefined && depth === owner.layout.cameraDepth;
    // fail closed: in a shared folder, what cannot be shown to be this camera's stays in quarantine
    if (owner && (atCamera ? !owns(owner, e.name) : !e.isDirectory())) {
      out.kept.push({ path: rel, reason: 'other-camera' });
      continue;
    }
    try {
      if (e.isDirectory()) {
        const from = src.openChild(e.name);
        const existed = dest.has(e.name);
        const to = dest.openOrCreateChild(e.name, 0o750); // on a throw, the job's end closes `from`
        const moved = out.moved;
        moveBack(from, to, plan, out, depth + 1, atCamera ? undefined : owner);
        if (!existed && out.moved === moved) to.touched = true; // made for nothing: removed again once empty
        to.unref();
        from.unref();
        continue;
      }
      const st = src.lstat(e.name);
      if (!st.isFile()) out.kept.push({ path: rel, reason: 'not-regular' });
      else if (dest.has(e.name)) out.kept.push({ path: rel, reason: 'exists' });
      else if (src.chmodEntry(e.name, st, 0o640)) {
        src.renameEntry(e.name, dest, e.name);
        src.touched = true;
        out.moved++;
        out.bytes += st.size;
        out.paths.push(rel);
      }
    } catch (err) {
      out.errors.push(sweepError(`${plan.root}/${rel}`, err));
    }
  }
}
