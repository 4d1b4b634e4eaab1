import type { CameraRecord, ScanResult } from '../../model/camera-records.js';

const COLUMNS = [
  { title: 'ID', width: 14 },
  { title: 'ADDRESS', width: 15 },
  { title: 'VENDOR/MODEL', width: 18 },
  { title: 'ZONE', width: 12 },
  { title: 'ACTION', width: 6 },
  { title: 'REASON', width: 8 },
] as const;

const WIDE = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u;
const charWidth = (ch: string): number => (WIDE.test(ch) ? 2 : 1);

/** Fits `value` into `width` terminal columns (CJK counts double), ending with `…` when cut. */
function fitColumns(value: string, width: number): string {
  const chars = [...value.replace(/[\u0000-\u001f\u007f]/g, '?')];
  const total = chars.reduce((n, ch) => n + charWidth(ch), 0);
  if (total <= width) return chars.join('') + ' '.repeat(width - total);
  let out = '';
  let used = 0;
  for (const ch of chars) {
    if (used + charWidth(ch) > width - 1) break;
    out += ch;
    used += charWidth(ch);
  }
  return `${out}…${' '.repeat(width - used - 1)}`;
}

function row(cells: string[]): string {
  return cells
    .map((c, i) => fitColumns(c, COLUMNS[i]?.width ?? 8))
    .join(' ')
    .trimEnd();
}

function vendorModel(r: CameraRecord): string {
  if (r.parent) return `ch ${r.channel ?? ''}`;
  return [r.manufacturer, r.model].filter((v) => v !== undefined && v !== '').join(' ') || '?';
}

/** Human table for `scan`: fits an 80-column terminal (5 separators + 73 columns of content). */
export function formatScanTable(result: ScanResult): string {
  const lines = [row(COLUMNS.map((c) => c.title))];
  for (const r of result.cameras) {
    const reason = r.decision.reasons[0]?.code ?? (r.errors[0] ? `!${r.errors[0].code}` : '');
    lines.push(row([r.id, r.address, vendorModel(r), r.location.zone, r.decision.action, reason]));
  }
  const counts = { allow: 0, flag: 0, block: 0 };
  for (const r of result.cameras) counts[r.decision.action]++;
  const withErrors = result.cameras.filter((r) => r.errors.length > 0).length;
  lines.push('');
  lines.push(
    `${result.cameras.length} cameras: ${counts.block} block, ${counts.flag} flag, ${counts.allow} allow; ${withErrors} with errors`,
  );
  for (const e of result.errors) lines.push(fitColumns(`! ${e.source}: ${e.code}: ${e.message}`, 79).trimEnd());
  return `${lines.join('\n')}\n`;
}
