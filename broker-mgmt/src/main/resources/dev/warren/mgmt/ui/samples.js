// Time series for the charts, in RabbitMQ's shape: a statistic `key` may come with `key_details`
// holding `samples`, a list of {timestamp (ms), sample} newest first, which the broker keeps when asked
// with lengths_age/lengths_incr and msg_rates_age/msg_rates_incr. Until a broker sends them, or for a
// statistic it sends without them, the page keeps its own samples of each value it sees on refresh.

/** The query that asks for samples over the last `ageSeconds`, one every `incrSeconds`. */
export function sampleQuery(ageSeconds = 600, incrSeconds = 5) {
  return `lengths_age=${ageSeconds}&lengths_incr=${incrSeconds}&msg_rates_age=${ageSeconds}&msg_rates_incr=${incrSeconds}`;
}

export class SampleHistory {
  constructor(ageMillis = 600_000) {
    this.ageMillis = ageMillis;
    this.seen = new Map(); // key → [{timestamp, sample}], newest first
  }

  /** The samples of `key` in `stats`: the broker's if it sent them, else the ones kept here (this one added). */
  samples(stats, key, now = Date.now()) {
    const sent = stats?.[`${key}_details`]?.samples;
    if (Array.isArray(sent) && sent.length > 0) return sent;
    const value = stats?.[key];
    const kept = this.seen.get(key) ?? [];
    if (typeof value === 'number' && (kept.length === 0 || kept[0].timestamp < now)) {
      kept.unshift({ timestamp: now, sample: value });
    }
    while (kept.length > 0 && kept[kept.length - 1].timestamp < now - this.ageMillis) kept.pop();
    this.seen.set(key, kept);
    return kept;
  }
}

/**
 * Points [timestamp ms, value], oldest first: the samples themselves, or for counters the rate between
 * each sample and the one before it, as RabbitMQ's own UI draws them.
 */
export function points(samples, asRates) {
  const out = [];
  for (let i = samples.length - 1; i >= 0; i--) {
    const s = samples[i];
    if (!asRates) {
      out.push([s.timestamp, s.sample]);
    } else if (i < samples.length - 1) {
      const older = samples[i + 1];
      const seconds = (s.timestamp - older.timestamp) / 1000;
      out.push([s.timestamp, seconds > 0 ? Math.max(0, (s.sample - older.sample) / seconds) : 0]);
    }
  }
  return out;
}

/** The current rate of a counter: the broker's `key_details.rate`, else from the last two samples. */
export function currentRate(stats, key, samples) {
  const sent = stats?.[`${key}_details`]?.rate;
  if (typeof sent === 'number') return sent;
  const p = points(samples.slice(0, 2), true);
  return p.length > 0 ? p[p.length - 1][1] : undefined;
}
