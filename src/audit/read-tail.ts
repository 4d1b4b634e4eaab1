import { open } from 'node:fs/promises';

export interface LogTail {
  size: number;
  /** The last newline-terminated line (without its newline), if any. */
  lastLine?: { text: string; offset: number };
  /** Bytes after the last newline: a write that was cut short. */
  fragment?: { offset: number; bytes: Buffer };
}

/** Reads backwards from the end until the last complete line is found; memory is bounded by that line. */
export async function readTail(file: string, chunkBytes = 64 * 1024): Promise<LogTail> {
  const fh = await open(file, 'r');
  try {
    const { size } = await fh.stat();
    if (size === 0) return { size };
    let start = size;
    let window = Buffer.alloc(0);
    const newlines = (): number[] => {
      const out: number[] = [];
      for (let i = window.indexOf(0x0a); i >= 0; i = window.indexOf(0x0a, i + 1)) out.push(i);
      return out;
    };
    for (;;) {
      const readFrom = Math.max(0, start - chunkBytes);
      const chunk = Buffer.alloc(start - readFrom);
      await fh.read(chunk, 0, chunk.length, readFrom);
      window = Buffer.concat([chunk, window]);
      start = readFrom;
      const nls = newlines();
      const lastNl = nls.at(-1);
      const haveLine = lastNl !== undefined && (nls.length >= 2 || start === 0);
      if (haveLine || start === 0) {
        const tail: LogTail = { size };
        if (lastNl === undefined) {
          tail.fragment = { offset: start, bytes: window };
          return tail;
        }
        if (lastNl < window.length - 1)
          tail.fragment = { offset: start + lastNl + 1, bytes: window.subarray(lastNl + 1) };
        const before = nls.length >= 2 ? (nls.at(-2) as number) + 1 : 0;
        tail.lastLine = { text: window.subarray(before, lastNl).toString('utf8'), offset: start + before };
        return tail;
      }
    }
  } finally {
    await fh.close();
  }
}
