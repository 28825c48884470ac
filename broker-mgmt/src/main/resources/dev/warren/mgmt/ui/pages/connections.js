// Connections: every connection the user may see, paged, sorted and filtered by the broker.

import { h, fill, link } from '../dom.js';
import { ListTable } from '../table.js';
import { count, rate, statRate } from '../format.js';

export async function render(view) {
  const table = new ListTable({
    name: 'connections',
    path: () => '/connections',
    emptyText: 'No connections.',
    columns: [
      { label: 'Name', sort: 'name', cell: c => link(c.name, 'connections', c.name) },
      { label: 'Virtual host', sort: 'vhost', cell: c => c.vhost },
      { label: 'User', sort: 'user', cell: c => c.user },
      { label: 'State', sort: 'state', cell: c => c.state },
      { label: 'TLS', cell: c => (c.ssl ? c.ssl_protocol ?? 'yes' : 'no') },
      { label: 'Client', cell: c => [c.client_properties?.product, c.client_properties?.version].filter(Boolean).join(' ') },
      { label: 'Channels', sort: 'channels', numeric: true, cell: c => count(c.channels) },
      // message rates, not RabbitMQ's bytes (recv_oct/send_oct): Warren keeps message_stats per connection
      { label: 'Publish', sort: 'message_stats.publish_details.rate', numeric: true, cell: c => rate(statRate(c.message_stats, 'publish')) },
      { label: 'Deliver / get', sort: 'message_stats.deliver_get_details.rate', numeric: true, cell: c => rate(statRate(c.message_stats, 'deliver_get')) },
    ],
  });
  fill(view, h('h1', 'Connections'), table.element);
  await table.refresh();
  return () => table.refresh();
}
