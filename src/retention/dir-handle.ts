/**
 * A directory opened once (O_DIRECTORY|O_NOFOLLOW) and checked; every later lstat, unlink, rename, mkdir or open
 * of one of its entries goes through the open descriptor: `/proc/self/fd/<fd>/<name>` resolves like openat(2),
 * which Node lacks. A directory swapped for a symlink after the check cannot redirect anything: the handle still
 * names the directory that was checked.
 */
import * as fs from 'node:fs';
import { CamwardenError, ErrorCode } from '../util/errors.js';

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW, O_NONBLOCK } = fs.constants;
const DIR_FLAGS = O_RDONLY | O_DIRECTORY | O_NOFOLLOW;
/** Handles of this thread not closed yet: a job that throws half-way must not leak descriptors (closeAllDirs). */
const openHandles = new Set<DirHandle>();

export type EntryKind = 'file' | 'dir' | 'symlink' | 'other';

export function closeAllDirs(): void {
  for (const h of openHandles) fs.closeSync(h.fd);
  openHandles.clear();
}

export class DirHandle {
  /** An entry was deleted or moved out: once closed, the directory is removed if that left it empty. */
  touched = false;
  /** The walk, pending batch items and open children each hold one; the last one closes it. */
  private refs = 1;

  private constructor(
    readonly fd: number,
    readonly stat: fs.Stats,
    /** Path below the top directory it was opened from ('' for the top). */
    readonly rel: string,
    private readonly parent?: DirHandle,
    private readonly name = '',
  ) {
    openHandles.add(this);
  }

  /** Opens a top directory by path (the one path lookup trusted) and checks that /proc resolves it. */
  static openTop(path: string): DirHandle {
    const fd = fs.openSync(path, DIR_FLAGS);
    const stat = fs.fstatSync(fd);
    const seen = fs.statSync(`/proc/self/fd/${fd}/.`, { throwIfNoEntry: false });
    if (seen?.ino !== stat.ino || seen.dev !== stat.dev) {
      fs.closeSync(fd);
      const message = `${path}: /proc/self/fd does not resolve open directories; refusing to sweep without it`;
      throw new CamwardenError(ErrorCode.RetentionRefused, message);
    }
    return new DirHandle(fd, stat, '');
  }

  /** The entry `name` of THIS directory, wherever its old path now leads. */
  at(name: string): string {
    return `/proc/self/fd/${this.fd}/${name}`;
  }

  /** The path of entry `name` below the top directory. */
  relOf(name: string): string {
    return this.rel === '' ? name : `${this.rel}/${name}`;
  }

  list(): fs.Dirent[] {
    return fs.readdirSync(`/proc/self/fd/${this.fd}`, { withFileTypes: true });
  }

  /** The type the listing gives, or an lstat's where the filesystem does not say (DT_UNKNOWN). */
  kindOf(e: fs.Dirent): EntryKind {
    if (e.isFile()) return 'file';
    if (e.isDirectory()) return 'dir';
    if (e.isSymbolicLink()) return 'symlink';
    if (e.isFIFO() || e.isSocket() || e.isCharacterDevice() || e.isBlockDevice()) return 'other';
    try {
      const st = this.lstat(e.name);
      return st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : 'other';
    } catch {
      return 'other';
    }
  }

  lstat(name: string): fs.Stats {
    return fs.lstatSync(this.at(name));
  }

  has(name: string): boolean {
    return fs.lstatSync(this.at(name), { throwIfNoEntry: false }) !== undefined;
  }

  unlink(name: string): void {
    fs.unlinkSync(this.at(name));
  }

  /** A subdirectory; a symlink in its place fails (ELOOP/ENOTDIR) instead of being followed. */
  openChild(name: string): DirHandle {
    const fd = fs.openSync(this.at(name), DIR_FLAGS);
    this.refs++;
    return new DirHandle(fd, fs.fstatSync(fd), this.relOf(name), this, name);
  }

  openOrCreateChild(name: string, mode: number): DirHandle {
    fs.mkdirSync(this.at(name), { mode, recursive: true }); // recursive: no error when it exists
    return this.openChild(name);
  }

  /** chmod through a descriptor opened without following symlinks and checked to be the expected file. */
  chmodEntry(name: string, expect: { dev: number; ino: number }, mode: number): boolean {
    const fd = fs.openSync(this.at(name), O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
    try {
      const st = fs.fstatSync(fd);
      if (!st.isFile() || st.dev !== expect.dev || st.ino !== expect.ino) return false;
      fs.fchmodSync(fd, mode);
      return true;
    } finally {
      fs.closeSync(fd);
    }
  }

  renameEntry(name: string, to: DirHandle, toName: string): void {
    fs.renameSync(this.at(name), to.at(toName));
  }

  ref(): void {
    this.refs++;
  }

  unref(): void {
    if (--this.refs > 0 || !openHandles.delete(this)) return;
    fs.closeSync(this.fd);
    if (!this.parent) return;
    if (this.touched) {
      try {
        fs.rmdirSync(this.parent.at(this.name)); // fails when not empty, or on a symlink put in its place
        this.parent.touched = true;
      } catch {
        // not empty: leave it
      }
    }
    this.parent.unref();
  }
}

/** Others could swap entries of such a directory between our checks; logrotate refuses them too. */
export function writableByOthers(st: fs.Stats): boolean {
  const ourGroup = process.getgid?.() ?? 0;
  return (st.mode & 0o002) !== 0 || ((st.mode & 0o020) !== 0 && st.gid !== 0 && st.gid !== ourGroup);
}
