// Channels: every channel the user may see, paged, sorted and filtered by the broker.

import { h, fill, link } from '../dom.js';
import { ListTable } from '../table.js';
import { count, rate, statRate } from '../format.js';

export async function render(view) {
  const table = new ListTable({
    name: 'channels',
    path: () => '/channels',
    emptyText: 'No channels.',
    columns: [
      { label: 'Channel', sort: 'name', cell: c => link(c.name, 'channels', c.name) },
      { label: 'Virtual host', sort: 'vhost', cell: c => c.vhost },
      { label: 'User', sort: 'user', cell: c => c.user },
      { label: 'Mode', cell: c => [c.confirm ? 'confirm' : null, c.transactional ? 'tx' : null].filter(Boolean).join(' ') },
      { label: 'Prefetch', sort: 'prefetch_count', numeric: true, cell: c => count(c.prefetch_count) },
      { label: 'Unacked', sort: 'messages_unacknowledged', numeric: true, cell: c => count(c.messages_unacknowledged) },
      { label: 'Consumers', sort: 'consumer_count', numeric: true, cell: c => count(c.consumer_count) },
      { label: 'Publish', sort: 'message_stats.publish_details.rate', numeric: true, cell: c => rate(statRate(c.message_stats, 'publish')) },
      { label: 'Deliver / get', sort: 'message_stats.deliver_get_details.rate', numeric: true, cell: c => rate(statRate(c.message_stats, 'deliver_get')) },
      { label: 'Ack', sort: 'message_stats.ack_details.rate', numeric: true, cell: c => rate(statRate(c.message_stats, 'ack')) },
    ],
  });
  fill(view, h('h1', 'Channels'), table.element);
  await table.refresh();
  return () => table.refresh();
}
