/**
 * Appending a whole line: write(2) may take only part of it (a filling disk does that before ENOSPC), and a part
 * taken as the whole leaves a torn line that the next append is chained after. These write the rest, or throw.
 */
import { writeSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { CamwardenError, ErrorCode } from './errors.js';

function noProgress(what: string): CamwardenError {
  return new CamwardenError(ErrorCode.Internal, `${what}: write took no bytes`);
}

export async function writeAll(fh: FileHandle, data: string | Buffer, what: string): Promise<void> {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  for (let done = 0; done < bytes.length; ) {
    const { bytesWritten } = await fh.write(bytes, done, bytes.length - done, null);
    if (bytesWritten <= 0) throw noProgress(what);
    done += bytesWritten;
  }
}

export function writeAllSync(fd: number, data: string | Buffer, what: string): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  for (let done = 0; done < bytes.length; ) {
    const n = writeSync(fd, bytes, done, bytes.length - done);
    if (n <= 0) throw noProgress(what);
    done += n;
  }
}
