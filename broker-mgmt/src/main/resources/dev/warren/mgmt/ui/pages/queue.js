// One queue: its facts, charts of its length and rates, consumers, bindings, publishing to it, getting
// messages from it (RabbitMQ's four ack modes), purging and deleting it.

import { h, fill, link, section, facts, field, input, select, form, dangerButton } from '../dom.js';
import { get, post, del, enc } from '../api.js';
import { simpleTable } from '../table.js';
import { count, bytes, features } from '../format.js';
import { Chart } from '../chart.js';
import { sampleQuery } from '../samples.js';
import { bindingsSection } from '../bindings.js';
import { publishForm } from '../publish.js';
import { QUEUED_MESSAGES } from './overview.js';

const QUEUE_RATES = [
  { label: 'Publish', key: 'publish' }, { label: 'Deliver / get', key: 'deliver_get' },
  { label: 'Consumer ack', key: 'ack' }, { label: 'Redelivered', key: 'redeliver' },
];

const ACK_MODES = [
  ['ack_requeue_true', 'Nack message requeue true'],
  ['reject_requeue_true', 'Reject requeue true'],
  ['ack_requeue_false', 'Automatic ack'],
  ['reject_requeue_false', 'Reject requeue false'],
];

function message(m, i) {
  return h('div.message', { dataset: { message: String(i + 1) } },
    h('h4', `Message ${i + 1}`),
    facts([
      ['Exchange', m.exchange === '' ? '(AMQP default)' : m.exchange],
      ['Routing key', m.routing_key],
      ['Redelivered', m.redelivered ? 'yes' : 'no'],
      ['Remaining in queue', count(m.message_count)],
      ['Properties', h('pre', JSON.stringify(m.properties, null, 1))],
      [`Payload (${bytes(m.payload_bytes)}, ${m.payload_encoding})`, h('pre.payload', m.payload)],
    ]));
}

export async function render(view, { vhost, name }) {
  const path = `/queues/${enc(vhost)}/${enc(name)}`;
  const details = h('div');
  const consumers = h('div');
  const lengths = new Chart('queue-lengths', QUEUED_MESSAGES, false);
  const rates = new Chart('queue-rates', QUEUE_RATES, true);
  const bindings = bindingsSection(vhost, name, 'queue');
  const got = h('div.messages');
  const getForm = form('get-messages', [
    field('Ack mode', select('ackmode', ACK_MODES, 'ack_requeue_true')),
    field('Encoding', select('encoding', [['auto', 'Auto string / base64'], ['base64', 'Base64']], 'auto')),
    field('Messages', input('count', { type: 'number', min: 1, value: 1 })),
  ], 'Get message(s)', async v => {
    const messages = await post(`${path}/get`, { count: Number(v.count), ackmode: v.ackmode, encoding: v.encoding, truncate: 50000 });
    fill(got, messages.length ? messages.map(message) : h('p', 'Queue is empty.'));
    await refresh();
    return `${messages.length} message(s).`;
  });
  fill(view, h('h1', 'Queue ', h('span.name', name), h('small', ` in virtual host ${vhost}`)),
    h('div.grid2', section('Details', details), section('Queued messages (last 10 minutes)', lengths.element)),
    section('Message rates (last 10 minutes)', rates.element),
    section('Consumers', consumers),
    section('Bindings', bindings.element),
    section('Publish message', publishForm(vhost, 'amq.default', name)),
    section('Get messages', h('p.hint', 'Getting messages is a destructive action unless they are requeued.'), getForm, got),
    section('Purge and delete',
      dangerButton('Purge messages', `Purge all ready messages of queue ${name}?`, async () => {
        await del(`${path}/contents`);
        await refresh();
        return 'Purged.';
      }), ' ',
      dangerButton('Delete queue', `Delete queue ${name}?`, async () => {
        await del(path);
        location.hash = '#/queues';
      })));

  async function refresh() {
    const [q, all] = await Promise.all([get(`${path}?${sampleQuery()}`), get(`/consumers/${enc(vhost)}`)]);
    fill(details, facts([
      ['Type', q.type], ['Features', features(q) || 'none'], ['State', q.state],
      ['Policy', q.policy ?? 'none'], ['Operator policy', q.operator_policy ?? 'none'],
      ['Effective policy', Object.keys(q.effective_policy_definition ?? {}).length ? JSON.stringify(q.effective_policy_definition) : 'none'],
      ['Consumers', count(q.consumers)], ['Ready', h('span', { dataset: { field: 'messages_ready' } }, count(q.messages_ready))],
      ['Unacked', count(q.messages_unacknowledged)], ['Total', count(q.messages)], ['Memory', bytes(q.memory)],
      ['Expired / dead-lettered / dropped', `${count(q.messages_expired)} / ${count(q.messages_dead_lettered)} / ${count(q.messages_dropped)}`],
    ]));
    lengths.update(q);
    rates.update(q.message_stats ?? {});
    fill(consumers, simpleTable([
      { label: 'Channel', cell: c => link(c.channel_details.name, 'channels', c.channel_details.name) },
      { label: 'Consumer tag', cell: c => c.consumer_tag },
      { label: 'Ack required', cell: c => (c.ack_required ? 'yes' : 'no') },
      { label: 'Exclusive', cell: c => (c.exclusive ? 'yes' : 'no') },
      { label: 'Prefetch', numeric: true, cell: c => count(c.prefetch_count) },
    ], all.filter(c => c.queue.name === name), 'No consumers.'));
    await bindings.refresh();
  }

  await refresh();
  return refresh;
}
