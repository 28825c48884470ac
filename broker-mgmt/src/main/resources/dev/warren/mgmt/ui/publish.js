// The "publish message" form of the exchange and queue pages (POST .../publish, RabbitMQ's shape).

import { h, field, input, select, form } from './dom.js';
import { post, enc } from './api.js';
import { keyValueEditor } from './forms.js';

/** @param routingKey fixed routing key (a queue's page publishes to it through the default exchange), or null */
export function publishForm(vhost, exchangePathName, routingKey) {
  const headers = keyValueEditor('headers');
  const properties = keyValueEditor('properties');
  return form('publish', [
    routingKey === null ? field('Routing key', input('routing_key')) : h('p.hint', `Published to the default exchange with routing key "${routingKey}".`),
    field('Delivery mode', select('delivery_mode', [['1', '1 - Non-persistent'], ['2', '2 - Persistent']], '1')),
    field('Headers', headers),
    field('Properties', properties, 'content_type, message_id, correlation_id, reply_to, expiration, priority, type, app_id …'),
    field('Payload', h('textarea', { name: 'payload', rows: 4 })),
    field('Payload encoding', select('payload_encoding', [['string', 'String'], ['base64', 'Base64']], 'string')),
  ], 'Publish message', async v => {
    const props = { ...properties.value(), delivery_mode: Number(v.delivery_mode) };
    const hdrs = headers.value();
    if (Object.keys(hdrs).length) props.headers = hdrs;
    const result = await post(`/exchanges/${enc(vhost)}/${enc(exchangePathName)}/publish`, {
      routing_key: routingKey ?? v.routing_key, properties: props, payload: v.payload, payload_encoding: v.payload_encoding,
    });
    return result.routed ? 'Message published.' : 'Message published, but not routed to any queue.';
  });
}
