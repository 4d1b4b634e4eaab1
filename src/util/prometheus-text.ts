/** Prometheus text exposition of numeric facts per module, plus the process's memory and uptime. */

function metricName(module: string, key: string): string {
  return `camwarden_${module}_${key}`
    .replace(/[^a-zA-Z0-9_]/g, '_')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

export function renderMetrics(facts: Record<string, Record<string, number | string | boolean>>): string {
  const lines: string[] = [];
  const mem = process.memoryUsage();
  lines.push(
    '# TYPE camwarden_process_resident_memory_bytes gauge',
    `camwarden_process_resident_memory_bytes ${mem.rss}`,
  );
  lines.push(
    '# TYPE camwarden_process_uptime_seconds gauge',
    `camwarden_process_uptime_seconds ${process.uptime().toFixed(1)}`,
  );
  for (const [module, values] of Object.entries(facts)) {
    for (const [key, value] of Object.entries(values)) {
      const num = typeof value === 'boolean' ? (value ? 1 : 0) : value;
      if (typeof num !== 'number' || !Number.isFinite(num)) continue;
      const name = metricName(module, key);
      lines.push(`# TYPE ${name} gauge`, `${name} ${num}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
