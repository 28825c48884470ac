// Exchanges: the list and a form to add one.

import { h, fill, link, section, field, input, select, form } from '../dom.js';
import { put, enc } from '../api.js';
import { ListTable } from '../table.js';
import { rate, statRate, features } from '../format.js';
import { vhostSelect, keyValueEditor } from '../forms.js';

export const EXCHANGE_TYPES = ['direct', 'fanout', 'topic', 'headers', 'x-consistent-hash', 'x-delayed-message'];

/** How the default exchange (named "") is written in paths and shown. */
export const DEFAULT_EXCHANGE = 'amq.default';

export function exchangeLink(vhost, name) {
  return link(name === '' ? '(AMQP default)' : name, 'exchanges', vhost, name === '' ? DEFAULT_EXCHANGE : name);
}

export async function render(view) {
  const table = new ListTable({
    name: 'exchanges',
    path: () => '/exchanges',
    columns: [
      { label: 'Virtual host', sort: 'vhost', cell: e => e.vhost },
      { label: 'Name', sort: 'name', cell: e => exchangeLink(e.vhost, e.name) },
      { label: 'Type', sort: 'type', cell: e => e.type },
      { label: 'Features', cell: e => features(e) },
      { label: 'Policy', sort: 'policy', cell: e => e.policy ?? '' },
      { label: 'Rate in', sort: 'message_stats.publish_in_details.rate', numeric: true, cell: e => rate(statRate(e.message_stats, 'publish_in')) },
      { label: 'Rate out', sort: 'message_stats.publish_out_details.rate', numeric: true, cell: e => rate(statRate(e.message_stats, 'publish_out')) },
    ],
  });
  const args = keyValueEditor('arguments');
  const addForm = form('add-exchange', [
    field('Virtual host', await vhostSelect()),
    field('Name', input('name', { required: true })),
    field('Type', select('type', EXCHANGE_TYPES, 'direct')),
    field('Durability', select('durable', [['true', 'Durable'], ['false', 'Transient']], 'true')),
    field('Auto delete', select('auto_delete', [['false', 'No'], ['true', 'Yes']], 'false')),
    field('Internal', select('internal', [['false', 'No'], ['true', 'Yes']], 'false')),
    field('Arguments', args),
  ], 'Add exchange', async v => {
    await put(`/exchanges/${enc(v.vhost)}/${enc(v.name)}`, {
      type: v.type, durable: v.durable === 'true', auto_delete: v.auto_delete === 'true',
      internal: v.internal === 'true', arguments: args.value(),
    });
    await table.refresh();
    return `Exchange ${v.name} added.`;
  });
  fill(view, h('h1', 'Exchanges'), table.element, section('Add a new exchange', addForm));
  await table.refresh();
  return () => table.refresh();
}
