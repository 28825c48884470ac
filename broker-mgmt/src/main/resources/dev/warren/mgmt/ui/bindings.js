// A binding list with its add form and unbind buttons, shared by the exchange and queue pages.

import { h, fill, link, field, input, select, form, dangerButton } from './dom.js';
import { get, post, del, enc } from './api.js';
import { simpleTable } from './table.js';
import { keyValueEditor } from './forms.js';
import { exchangeLink, DEFAULT_EXCHANGE } from './pages/exchanges.js';

const pathName = name => enc(name === '' ? DEFAULT_EXCHANGE : name);

function bindingPath(b) {
  const kind = b.destination_type === 'queue' ? 'q' : 'e';
  return `/bindings/${enc(b.vhost)}/e/${pathName(b.source)}/${kind}/${pathName(b.destination)}`;
}

function destinationLink(b) {
  return b.destination_type === 'queue' ? link(b.destination, 'queues', b.vhost, b.destination) : exchangeLink(b.vhost, b.destination);
}

/**
 * @param side 'source': bindings from the exchange `name` (its page binds it to destinations);
 *             'queue': bindings to the queue `name` (its page binds it from exchanges)
 */
export function bindingsSection(vhost, name, side) {
  const list = h('div');
  const args = keyValueEditor('arguments');
  const fields = side === 'source'
    ? [field('To', select('destination_type', [['q', 'Queue'], ['e', 'Exchange']], 'q')), field('Name', input('destination', { required: true }))]
    : [field('From exchange', input('source', { required: true }))];
  const addForm = form('add-binding', [...fields,
    field('Routing key', input('routing_key')), field('Arguments', args)], 'Bind', async v => {
    const path = side === 'source'
      ? `/bindings/${enc(vhost)}/e/${pathName(name)}/${v.destination_type}/${pathName(v.destination)}`
      : `/bindings/${enc(vhost)}/e/${pathName(v.source)}/q/${enc(name)}`;
    await post(path, { routing_key: v.routing_key, arguments: args.value() });
    await refresh();
    return 'Bound.';
  });

  async function refresh() {
    const path = side === 'source'
      ? `/exchanges/${enc(vhost)}/${pathName(name)}/bindings/source`
      : `/queues/${enc(vhost)}/${enc(name)}/bindings`;
    const bindings = await get(path);
    fill(list, simpleTable([
      side === 'source'
        ? { label: 'To', cell: destinationLink }
        : { label: 'From', cell: b => (b.source === '' ? '(AMQP default)' : exchangeLink(b.vhost, b.source)) },
      { label: 'Routing key', cell: b => b.routing_key },
      { label: 'Arguments', cell: b => (Object.keys(b.arguments ?? {}).length ? JSON.stringify(b.arguments) : '') },
      { label: '', cell: b => (b.source === '' ? '' : dangerButton('Unbind', `Remove the binding with key "${b.routing_key}"?`, async () => {
        await del(`${bindingPath(b)}/${enc(b.properties_key)}`);
        await refresh();
      })) },
    ], bindings, 'No bindings.'));
  }

  return { element: h('div', list, h('h3', 'Add binding'), addForm), refresh };
}
