/**
 * Acting on what the walk decided, a batch at a time: the batch's intents are written to the journal and fsync'd,
 * then each file is re-checked (still a regular file, same dev and inode) and deleted or moved into quarantine
 * through its directory's handle. Each batch is reported as soon as it is done (sweep.ts audits it).
 */
import type { DirHandle } from './dir-handle.js';
import type { JournalIntent, JournalResult, RetentionJournal } from './journal.js';
import { type Area, type BatchReport, noteError, noteSkip, type WalkHooks, type WalkOutcome } from './sweep-plan.js';

const BATCH = 1024;
const MAX_HELD_DIRS = 256; // directories a waiting batch may keep open; past that it is acted on early

export interface Item extends JournalIntent {
  dir: DirHandle;
  name: string;
  area: Area;
  camera: string;
  /** Quarantine destination: directories below the quarantine area. */
  destDirs?: string[];
}

export class Batch {
  /** Bytes this run's deletions freed in the recordings (the quota counts them). */
  freedInRecordings = 0;
  private items: Item[] = [];
  private dirs = new Set<DirHandle>();

  constructor(
    private readonly out: WalkOutcome,
    private readonly hooks: WalkHooks,
    private readonly journal: RetentionJournal | undefined,
    private readonly quarantine: () => DirHandle | undefined,
  ) {}

  add(item: Item): void {
    if (this.items[0] && this.items[0].area !== item.area) this.flush(); // one area per batch report
    item.dir.ref();
    this.dirs.add(item.dir);
    this.items.push(item);
    if (this.items.length >= BATCH || this.dirs.size >= MAX_HELD_DIRS) this.flush();
  }

  flush(): void {
    const items = this.items;
    const area = items[0]?.area;
    if (area === undefined) return;
    this.items = [];
    this.dirs = new Set();
    const report: BatchReport = { area, deleted: [], quarantined: [] };
    const results: JournalResult[] = [];
    try {
      // stopped (a legal hold is being added, the daemon stops): what was decided and not done yet is dropped
      if (this.hooks.aborted?.()) return;
      const batchNo = this.journal?.intents(items);
      for (const item of items) {
        let r: JournalResult;
        if (this.hooks.aborted?.()) r = 'not-done';
        else if (this.out.dryRun) r = item.op === 'delete' ? 'deleted' : 'moved';
        else r = this.act(item);
        results.push(r);
        const path = item.dir.relOf(item.name);
        if (r === 'moved') {
          this.out.quarantined++;
          report.quarantined.push({ path, camera: item.camera, bytes: item.size });
        } else if (r === 'deleted') {
          this.out.deleted++;
          this.out.bytesFreed += item.freed;
          if (area === 'recordings') this.freedInRecordings += item.freed;
          report.deleted.push({ path, camera: item.camera, bytes: item.freed });
          if (!this.out.dryRun) this.hooks.afterUnlink?.(this.out.deleted);
        }
      }
      if (batchNo !== undefined) this.journal?.done(batchNo, results);
    } finally {
      for (const item of items) item.dir.unref();
    }
    this.hooks.onBatch?.(report);
  }

  private act(item: Item): JournalResult {
    try {
      const st = item.dir.lstat(item.name);
      if (!st.isFile() || st.dev !== item.dev || st.ino !== item.ino) {
        noteSkip(this.out, item.path, 'changed');
        return 'changed';
      }
      if (item.op === 'delete') item.dir.unlink(item.name);
      else if (!this.moveToQuarantine(item)) return 'changed';
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
      noteError(this.out, item.path, err);
      return 'error';
    }
    item.dir.touched = true;
    return item.op === 'delete' ? 'deleted' : 'moved';
  }

  /** rename(2) into `<quarantine>/<camera>/<path below the root>`: 0700 directories, a 0600 file, never over one. */
  private moveToQuarantine(item: Item): boolean {
    const top = this.quarantine();
    if (!top) return false;
    const opened: DirHandle[] = [];
    try {
      let dest = top;
      for (const d of item.destDirs ?? []) {
        dest = dest.openOrCreateChild(d, 0o700);
        opened.push(dest);
      }
      const target = [item.name, `${item.name}.${item.ino}`].find((n) => !dest.has(n));
      if (target === undefined) noteSkip(this.out, item.path, 'quarantine-target-exists');
      else if (!item.dir.chmodEntry(item.name, item, 0o600)) noteSkip(this.out, item.path, 'changed');
      else {
        item.dir.renameEntry(item.name, dest, target);
        return true;
      }
      return false;
    } finally {
      for (const d of opened.reverse()) d.unref();
    }
  }
}
