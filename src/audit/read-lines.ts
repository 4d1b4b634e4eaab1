import { open } from 'node:fs/promises';

export interface FileLine {
  /** 1-based line number. */
  line: number;
  text: string;
  /** False only for a last line with no trailing newline (a torn write). */
  terminated: boolean;
  /** Byte offset of the line's first byte. */
  offset: number;
}

/** Streams a file line by line in bounded memory, keeping byte offsets (for truncating a torn tail). */
export async function* readLines(file: string, chunkBytes = 1 << 20): AsyncGenerator<FileLine> {
  const fh = await open(file, 'r');
  try {
    let carry = Buffer.alloc(0);
    let carryOffset = 0;
    let position = 0;
    let line = 0;
    const buf = Buffer.alloc(chunkBytes);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, chunkBytes, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      let data = Buffer.concat([carry, buf.subarray(0, bytesRead)]);
      let start = 0;
      for (;;) {
        const nl = data.indexOf(0x0a, start);
        if (nl < 0) break;
        line++;
        yield { line, text: data.subarray(start, nl).toString('utf8'), terminated: true, offset: carryOffset + start };
        start = nl + 1;
      }
      carryOffset += start;
      data = data.subarray(start);
      carry = Buffer.from(data);
    }
    if (carry.length > 0) {
      line++;
      yield { line, text: carry.toString('utf8'), terminated: false, offset: carryOffset };
    }
  } finally {
    await fh.close();
  }
}
