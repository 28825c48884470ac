// Admin › Policies: user policies (policymakers and administrators) and operator policies
// (administrators), each listed, added or updated, and deleted.

import { h, fill, section, field, input, select, form, dangerButton } from '../dom.js';
import { get, put, del, enc } from '../api.js';
import { simpleTable } from '../table.js';
import { vhostSelect, keyValueEditor } from '../forms.js';

const APPLY_TO = [['all', 'Exchanges and queues'], ['queues', 'Queues'], ['classic_queues', 'Classic queues'], ['exchanges', 'Exchanges']];

async function policyLayer(base, title, formName) {
  const list = h('div');
  async function refresh() {
    fill(list, simpleTable([
      { label: 'Virtual host', cell: p => p.vhost }, { label: 'Name', cell: p => p.name },
      { label: 'Pattern', cell: p => p.pattern }, { label: 'Apply to', cell: p => p['apply-to'] },
      { label: 'Definition', cell: p => JSON.stringify(p.definition) }, { label: 'Priority', numeric: true, cell: p => p.priority },
      { label: '', cell: p => dangerButton('Delete', `Delete ${title.toLowerCase()} ${p.name}?`, async () => {
        await del(`${base}/${enc(p.vhost)}/${enc(p.name)}`);
        await refresh();
      }) },
    ], await get(base), 'None.'));
  }
  const definition = keyValueEditor('definition');
  const addForm = form(formName, [
    field('Virtual host', await vhostSelect()),
    field('Name', input('name', { required: true })),
    field('Pattern', input('pattern', { value: '^' })),
    field('Apply to', select('apply-to', APPLY_TO, 'queues')),
    field('Priority', input('priority', { type: 'number', value: 0 })),
    field('Definition', definition, 'e.g. max-length (Number), message-ttl (Number), dead-letter-exchange (String)'),
  ], `Add / update ${title.toLowerCase()}`, async v => {
    await put(`${base}/${enc(v.vhost)}/${enc(v.name)}`, {
      pattern: v.pattern, 'apply-to': v['apply-to'], priority: Number(v.priority), definition: definition.value(),
    });
    await refresh();
    return `${title} ${v.name} saved.`;
  });
  return { element: section(`${title}s`, list, h('h3', `Add / update a ${title.toLowerCase()}`), addForm), refresh };
}

export async function render(view, params, ctx) {
  const layers = [await policyLayer('/policies', 'Policy', 'add-policy')];
  if (ctx.isAdmin) layers.push(await policyLayer('/operator-policies', 'Operator policy', 'add-operator-policy'));
  fill(view, layers.map(l => l.element));
  const refresh = () => Promise.all(layers.map(l => l.refresh()));
  await refresh();
  return refresh;
}
