// Admin › Limits: per-vhost limits (max-connections, max-queues) and per-user limits
// (max-connections, max-channels), set and cleared.

import { h, fill, section, field, input, select, form, dangerButton } from '../dom.js';
import { get, put, del, enc } from '../api.js';
import { simpleTable } from '../table.js';
import { vhostSelect } from '../forms.js';

/** Rows of {owner, limit, value} from the API's [{vhost|user, value: {limit: n}}]. */
function rows(list, ownerKey) {
  return list.flatMap(item => Object.entries(item.value ?? {}).map(([limit, value]) => ({ owner: item[ownerKey], limit, value })));
}

export async function render(view) {
  const vhostList = h('div');
  const userList = h('div');
  async function refresh() {
    const [v, u] = await Promise.all([get('/vhost-limits'), get('/user-limits')]);
    const columns = (label, base) => [
      { label, cell: r => r.owner }, { label: 'Limit', cell: r => r.limit }, { label: 'Value', numeric: true, cell: r => r.value },
      { label: '', cell: r => dangerButton('Clear', `Clear ${r.limit} of ${r.owner}?`, async () => {
        await del(`${base}/${enc(r.owner)}/${enc(r.limit)}`);
        await refresh();
      }) },
    ];
    fill(vhostList, simpleTable(columns('Virtual host', '/vhost-limits'), rows(v, 'vhost'), 'No virtual host limits.'));
    fill(userList, simpleTable(columns('User', '/user-limits'), rows(u, 'user'), 'No user limits.'));
  }
  const users = await get('/users');
  const vhostForm = form('set-vhost-limit', [
    field('Virtual host', await vhostSelect()),
    field('Limit', select('limit', ['max-connections', 'max-queues'])),
    field('Value', input('value', { type: 'number', value: 100 })),
  ], 'Set limit', async x => {
    await put(`/vhost-limits/${enc(x.vhost)}/${enc(x.limit)}`, { value: Number(x.value) });
    await refresh();
    return 'Limit set.';
  });
  const userForm = form('set-user-limit', [
    field('User', select('user', users.map(u => u.name))),
    field('Limit', select('limit', ['max-connections', 'max-channels'])),
    field('Value', input('value', { type: 'number', value: 100 })),
  ], 'Set limit', async x => {
    await put(`/user-limits/${enc(x.user)}/${enc(x.limit)}`, { value: Number(x.value) });
    await refresh();
    return 'Limit set.';
  });
  fill(view, section('Virtual host limits', vhostList, vhostForm), section('User limits', userList, userForm));
  await refresh();
  return refresh;
}
