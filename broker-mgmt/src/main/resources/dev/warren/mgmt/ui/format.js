// Numbers as people read them.

export function count(n) {
  return typeof n === 'number' ? n.toLocaleString('en-US') : '—';
}

export function rate(r) {
  if (typeof r !== 'number') return '—';
  return `${r < 10 ? r.toFixed(1) : Math.round(r).toLocaleString('en-US')}/s`;
}

export function bytes(n) {
  if (typeof n !== 'number' || n < 0) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
}

export function duration(ms) {
  if (typeof ms !== 'number') return '—';
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  return `${m}m ${s % 60}s`;
}

/** The rate of one of RabbitMQ's message_stats counters ({key}_details.rate), if the broker sends it. */
export function statRate(stats, key) {
  return stats?.[`${key}_details`]?.rate;
}

/** A queue's or exchange's features, as RabbitMQ abbreviates them. */
export function features(item) {
  const out = [];
  if (item.durable) out.push('D');
  if (item.auto_delete) out.push('AD');
  if (item.exclusive) out.push('Excl');
  if (item.internal) out.push('I');
  Object.keys(item.arguments ?? {}).forEach(k => out.push(k.replace(/^x-/, '')));
  return out.join(' ');
}
