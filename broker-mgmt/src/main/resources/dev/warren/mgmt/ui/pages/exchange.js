// One exchange: its facts, rates, bindings to destinations, publishing a message, deleting it.

import { h, fill, section, facts, dangerButton } from '../dom.js';
import { get, del, enc } from '../api.js';
import { features } from '../format.js';
import { Chart } from '../chart.js';
import { sampleQuery } from '../samples.js';
import { bindingsSection } from '../bindings.js';
import { publishForm } from '../publish.js';
import { DEFAULT_EXCHANGE } from './exchanges.js';

const EXCHANGE_RATES = [{ label: 'Publish (in)', key: 'publish_in' }, { label: 'Publish (out)', key: 'publish_out' }];

export async function render(view, { vhost, name }) {
  const isDefault = name === DEFAULT_EXCHANGE;
  const realName = isDefault ? '' : name;
  const details = h('div');
  const rates = new Chart('exchange-rates', EXCHANGE_RATES, true);
  const bindings = bindingsSection(vhost, realName, 'source');
  fill(view, h('h1', 'Exchange ', h('span.name', isDefault ? '(AMQP default)' : name), h('small', ` in virtual host ${vhost}`)),
    h('div.grid2', section('Details', details), section('Message rates (last 10 minutes)', rates.element)),
    isDefault ? null : section('Bindings', bindings.element),
    section('Publish message', publishForm(vhost, name, null)),
    isDefault || name.startsWith('amq.') ? null : section('Delete this exchange',
      dangerButton('Delete', `Delete exchange ${name}?`, async () => {
        await del(`/exchanges/${enc(vhost)}/${enc(name)}`);
        location.hash = '#/exchanges';
      })));

  async function refresh() {
    const e = await get(`/exchanges/${enc(vhost)}/${enc(name)}?${sampleQuery()}`);
    fill(details, facts([
      ['Type', e.type], ['Features', features(e) || 'none'], ['Policy', e.policy ?? 'none'],
      ['Arguments', Object.keys(e.arguments ?? {}).length ? JSON.stringify(e.arguments) : 'none'],
      ...(typeof e.messages_delayed === 'number' ? [['Delayed messages', String(e.messages_delayed)]] : []),
    ]));
    rates.update(e.message_stats ?? {});
    if (!isDefault) await bindings.refresh();
  }

  await refresh();
  return refresh;
}
