// One channel: its facts, message rates and consumers.

import { h, fill, link, section, facts } from '../dom.js';
import { get, enc } from '../api.js';
import { simpleTable } from '../table.js';
import { count } from '../format.js';
import { Chart } from '../chart.js';
import { sampleQuery } from '../samples.js';

/** The message rates of a channel, and of a connection (its channels summed: connection.js). */
export const CHANNEL_RATES = [
  { label: 'Publish', key: 'publish' }, { label: 'Publisher confirm', key: 'confirm' },
  { label: 'Deliver / get', key: 'deliver_get' }, { label: 'Consumer ack', key: 'ack' },
  { label: 'Redelivered', key: 'redeliver' }, { label: 'Unroutable (return)', key: 'return_unroutable' },
];

export async function render(view, { name }) {
  const details = h('div');
  const consumers = h('div');
  const rates = new Chart('channel-rates', CHANNEL_RATES, true);
  fill(view, h('h1', 'Channel ', h('span.name', name)),
    h('div.grid2', section('Details', details), section('Message rates (last 10 minutes)', rates.element)),
    section('Consumers', consumers));

  async function refresh() {
    const ch = await get(`/channels/${enc(name)}?${sampleQuery()}`);
    const all = await get(`/consumers/${enc(ch.vhost)}`);
    fill(details, facts([
      ['Connection', link(ch.connection_details.name, 'connections', ch.connection_details.name)],
      ['Virtual host', ch.vhost], ['User', ch.user], ['State', ch.state],
      ['Mode', [ch.confirm ? 'confirm' : null, ch.transactional ? 'transactional' : null].filter(Boolean).join(', ') || 'plain'],
      ['Prefetch', count(ch.prefetch_count)], ['Unacked', count(ch.messages_unacknowledged)],
    ]));
    rates.update(ch.message_stats ?? {});
    fill(consumers, simpleTable([
      { label: 'Consumer tag', cell: c => c.consumer_tag },
      { label: 'Queue', cell: c => link(c.queue.name, 'queues', c.queue.vhost, c.queue.name) },
      { label: 'Ack required', cell: c => (c.ack_required ? 'yes' : 'no') },
      { label: 'Exclusive', cell: c => (c.exclusive ? 'yes' : 'no') },
      { label: 'Prefetch', numeric: true, cell: c => count(c.prefetch_count) },
    ], all.filter(c => c.channel_details?.name === name), 'No consumers.'));
  }

  await refresh();
  return refresh;
}
