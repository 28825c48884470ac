// Queues: the list with message counts and rates, and a form to add one.

import { h, fill, link, section, field, input, select, form } from '../dom.js';
import { put, enc } from '../api.js';
import { ListTable } from '../table.js';
import { count, rate, statRate, features } from '../format.js';
import { vhostSelect, keyValueEditor } from '../forms.js';

export async function render(view) {
  const table = new ListTable({
    name: 'queues',
    path: () => '/queues',
    columns: [
      { label: 'Virtual host', sort: 'vhost', cell: q => q.vhost },
      { label: 'Name', sort: 'name', cell: q => link(q.name, 'queues', q.vhost, q.name) },
      { label: 'Type', sort: 'type', cell: q => q.type },
      { label: 'Features', cell: q => features(q) },
      { label: 'Policy', sort: 'policy', cell: q => [q.policy, q.operator_policy].filter(Boolean).join(' / ') },
      { label: 'State', sort: 'state', cell: q => q.state },
      { label: 'Consumers', sort: 'consumers', numeric: true, cell: q => count(q.consumers) },
      { label: 'Ready', sort: 'messages_ready', numeric: true, cell: q => count(q.messages_ready) },
      { label: 'Unacked', sort: 'messages_unacknowledged', numeric: true, cell: q => count(q.messages_unacknowledged) },
      { label: 'Total', sort: 'messages', numeric: true, cell: q => count(q.messages) },
      { label: 'Incoming', sort: 'message_stats.publish_details.rate', numeric: true, cell: q => rate(statRate(q.message_stats, 'publish')) },
      { label: 'Deliver / get', sort: 'message_stats.deliver_get_details.rate', numeric: true, cell: q => rate(statRate(q.message_stats, 'deliver_get')) },
      { label: 'Ack', sort: 'message_stats.ack_details.rate', numeric: true, cell: q => rate(statRate(q.message_stats, 'ack')) },
    ],
  });
  const args = keyValueEditor('arguments');
  const addForm = form('add-queue', [
    field('Virtual host', await vhostSelect()),
    field('Name', input('name', { required: true })),
    field('Durability', select('durable', [['true', 'Durable'], ['false', 'Transient']], 'true')),
    field('Auto delete', select('auto_delete', [['false', 'No'], ['true', 'Yes']], 'false')),
    field('Arguments', args, 'e.g. x-message-ttl (Number), x-max-length (Number), x-dead-letter-exchange (String)'),
  ], 'Add queue', async v => {
    await put(`/queues/${enc(v.vhost)}/${enc(v.name)}`, {
      durable: v.durable === 'true', auto_delete: v.auto_delete === 'true', arguments: args.value(),
    });
    await table.refresh();
    return `Queue ${v.name} added.`;
  });
  fill(view, h('h1', 'Queues'), table.element, section('Add a new queue', addForm));
  await table.refresh();
  return () => table.refresh();
}
