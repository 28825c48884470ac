// One connection: its facts, message rates (its channels' summed), channels and client properties, and closing it with a reason.

import { h, fill, link, section, facts, field, input, form } from '../dom.js';
import { get, del, enc } from '../api.js';
import { simpleTable } from '../table.js';
import { count, bytes } from '../format.js';
import { Chart } from '../chart.js';
import { sampleQuery } from '../samples.js';
import { CHANNEL_RATES } from './channel.js';

export async function render(view, { name }) {
  const details = h('div');
  const channels = h('div');
  const client = h('div');
  const rates = new Chart('connection-rates', CHANNEL_RATES, true);
  const closeForm = form('close-connection', [
    field('Reason', input('reason', { value: 'Closed via management UI' })),
  ], 'Force close', async v => {
    await del(`/connections/${enc(name)}`, { 'X-Reason': v.reason });
    location.hash = '#/connections';
    return 'Closed.';
  });
  fill(view, h('h1', 'Connection ', h('span.name', name)),
    h('div.grid2', section('Details', details), section('Message rates (last 10 minutes)', rates.element)),
    section('Channels', channels), section('Client properties', client), section('Close this connection', closeForm));

  async function refresh() {
    const [c, chans] = await Promise.all([get(`/connections/${enc(name)}?${sampleQuery()}`),
      get(`/connections/${enc(name)}/channels`)]);
    fill(details, facts([
      ['Virtual host', c.vhost], ['User', c.user], ['State', c.state], ['Protocol', c.protocol],
      ['Client', `${c.peer_host}:${c.peer_port}`], ['Server', `${c.host}:${c.port}`],
      ['TLS', c.ssl ? `${c.ssl_protocol} ${c.ssl_cipher}` : 'no'], ['Authentication', c.auth_mechanism],
      ['Heartbeat', `${c.timeout} s`], ['Frame max', bytes(c.frame_max)], ['Channel max', count(c.channel_max)],
      ['Connected at', c.connected_at ? new Date(c.connected_at).toLocaleString() : '—'],
    ]));
    rates.update(c.message_stats ?? {});
    fill(channels, simpleTable([
      { label: 'Channel', cell: ch => link(ch.name, 'channels', ch.name) },
      { label: 'Prefetch', numeric: true, cell: ch => count(ch.prefetch_count) },
      { label: 'Unacked', numeric: true, cell: ch => count(ch.messages_unacknowledged) },
      { label: 'Consumers', numeric: true, cell: ch => count(ch.consumer_count) },
    ], chans, 'No channels.'));
    const props = c.client_properties ?? {};
    fill(client, facts(Object.entries(props).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)])));
  }

  await refresh();
  return refresh;
}
