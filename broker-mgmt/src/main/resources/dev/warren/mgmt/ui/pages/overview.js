// Overview: totals, queued messages and message rates over the last 10 minutes, this node's facts and
// its listeners.

import { h, fill, section, facts } from '../dom.js';
import { get } from '../api.js';
import { count, bytes, duration } from '../format.js';
import { Chart } from '../chart.js';
import { sampleQuery } from '../samples.js';
import { simpleTable } from '../table.js';

/**
 * RabbitMQ's message_stats counters, in its overview's order (deliver and get with a manual ack, return for
 * returned unroutable messages), and dead_lettered where the broker counts it.
 */
export const MESSAGE_RATES = [
  { label: 'Publish', key: 'publish' },
  { label: 'Confirm', key: 'confirm' },
  { label: 'Deliver', key: 'deliver' },
  { label: 'Deliver (no ack)', key: 'deliver_no_ack' },
  { label: 'Get', key: 'get' },
  { label: 'Ack', key: 'ack' },
  { label: 'Redeliver', key: 'redeliver' },
  { label: 'Return', key: 'return_unroutable' },
  { label: 'Unroutable drop', key: 'drop_unroutable' },
  { label: 'Dead-letter', key: 'dead_lettered' },
];

export const QUEUED_MESSAGES = [
  { label: 'Ready', key: 'messages_ready' },
  { label: 'Unacked', key: 'messages_unacknowledged' },
  { label: 'Total', key: 'messages' },
];

const TOTALS = [['Connections', 'connections', '#/connections'], ['Channels', 'channels', '#/channels'],
  ['Exchanges', 'exchanges', '#/exchanges'], ['Queues', 'queues', '#/queues'], ['Consumers', 'consumers', null]];

/** used/limit as a bar; red when the alarm is up. */
function gauge(used, limit, alarm, format, suffix) {
  if (typeof used !== 'number') return '—';
  const share = typeof limit === 'number' && limit > 0 ? Math.min(1, used / limit) : 0;
  return h('div', { class: alarm ? 'gauge alarm' : 'gauge' },
    h('div.gauge-bar', h('div.gauge-fill', { style: `width:${(share * 100).toFixed(1)}%` })),
    h('span', `${format(used)}${typeof limit === 'number' ? ` ${suffix} ${format(limit)}` : ''}`));
}

export async function render(view, params, ctx) {
  const totals = h('div.totals');
  const queued = new Chart('queued-messages', QUEUED_MESSAGES, false);
  const rates = new Chart('message-rates', MESSAGE_RATES, true);
  const ratesNote = h('p.hint');
  const node = h('div');
  const listeners = h('div');
  fill(view,
    h('h1', 'Overview'),
    totals,
    h('div.grid2',
      section('Queued messages (last 10 minutes)', queued.element),
      section('Message rates (last 10 minutes)', rates.element, ratesNote)),
    h('div.grid2', section('Node', node), section('Listeners', listeners)));

  async function refresh() {
    const [o, nodes] = await Promise.all([
      get(`/overview?${sampleQuery()}`),
      ctx.isMonitor ? get('/nodes') : Promise.resolve([]),
    ]);
    fill(totals, TOTALS.map(([label, key, href]) => {
      const value = h('span.total-value', { dataset: { total: key } }, count(o.object_totals?.[key]));
      return h('div.total', href ? h('a', { href }, label) : h('span', label), value);
    }), h('div.total', h('span', 'Ready'), h('span.total-value', { dataset: { total: 'messages_ready' } }, count(o.queue_totals?.messages_ready))),
    h('div.total', h('span', 'Unacked'), h('span.total-value', { dataset: { total: 'messages_unacknowledged' } }, count(o.queue_totals?.messages_unacknowledged))));
    queued.update(o.queue_totals ?? {});
    rates.update(o.message_stats ?? {});
    ratesNote.textContent = ctx.isMonitor ? '' : 'Message rates are shown to monitoring users and administrators.';
    const n = nodes[0] ?? o;
    fill(node, facts([
      ['Node', o.node],
      ['Version', `${o.product_name ?? 'Warren'} ${o.product_version ?? ''}`],
      ['Uptime', duration(n.uptime)],
      ['Memory', gauge(n.mem_used, n.mem_limit, n.mem_alarm, bytes, 'of')],
      ['Disk free', typeof n.disk_free === 'number'
        ? h('span', { class: n.disk_free_alarm ? 'alarm-text' : null }, `${bytes(n.disk_free)} (limit ${bytes(n.disk_free_limit)})`)
        : '—'],
      ['File descriptors', gauge(n.fd_used, n.fd_total, false, count, 'of')],
      ['Alarms', o.mem_alarm || o.disk_free_alarm
        ? h('span.alarm-text', [o.mem_alarm ? 'memory' : null, o.disk_free_alarm ? 'disk' : null].filter(Boolean).join(', '))
        : 'none'],
    ]));
    fill(listeners, simpleTable([
      { label: 'Protocol', cell: l => l.protocol },
      { label: 'Bound to', cell: l => l.ip_address },
      { label: 'Port', cell: l => l.port, numeric: true },
    ], o.listeners ?? []));
  }

  await refresh();
  return refresh;
}
