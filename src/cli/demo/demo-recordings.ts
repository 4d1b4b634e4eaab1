import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const DAY_MS = 86_400_000;

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/**
 * Fills a recordings root in the `generic` layout (`<camera>/<YYYY-MM-DD>/<HH>-<MM>-<SS>.mp4`, UTC) with
 * `days` days of small segments per camera, so the demo's sweep has both expired and young footage.
 */
export async function writeDemoRecordings(
  root: string,
  cameraIds: readonly string[],
  opts: { days: number; segmentsPerDay: number; now?: Date },
): Promise<{ files: number }> {
  const now = opts.now ?? new Date();
  let files = 0;
  for (const camera of cameraIds) {
    for (let day = 0; day < opts.days; day++) {
      const date = new Date(now.getTime() - day * DAY_MS);
      const dir = join(
        root,
        camera,
        `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`,
      );
      await mkdir(dir, { recursive: true });
      for (let s = 0; s < opts.segmentsPerDay; s++) {
        // Segments start at 00:00 and every 10 minutes after; none lies in the future.
        const minutes = s * 10;
        const name = `${pad(Math.floor(minutes / 60))}-${pad(minutes % 60)}-00.mp4`;
        const when = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate(), 0, minutes);
        if (when > now.getTime() - 5 * 60_000) continue;
        await writeFile(join(dir, name), Buffer.alloc(4096, s));
        files++;
      }
    }
  }
  return { files };
}
