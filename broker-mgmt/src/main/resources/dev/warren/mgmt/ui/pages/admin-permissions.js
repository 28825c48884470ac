// Admin › Permissions: every user's permissions and topic permissions, setting and clearing them.

import { h, fill, section, field, input, select, form, dangerButton } from '../dom.js';
import { get, put, del, enc } from '../api.js';
import { simpleTable } from '../table.js';
import { vhostSelect } from '../forms.js';

async function userSelect() {
  const users = await get('/users');
  return select('user', users.map(u => u.name));
}

export async function render(view) {
  const perms = h('div');
  const topics = h('div');
  async function refresh() {
    const [p, t] = await Promise.all([get('/permissions'), get('/topic-permissions')]);
    fill(perms, simpleTable([
      { label: 'User', cell: x => x.user }, { label: 'Virtual host', cell: x => x.vhost },
      { label: 'Configure', cell: x => x.configure }, { label: 'Write', cell: x => x.write }, { label: 'Read', cell: x => x.read },
      { label: '', cell: x => dangerButton('Clear', `Clear ${x.user}'s permissions in ${x.vhost}?`, async () => {
        await del(`/permissions/${enc(x.vhost)}/${enc(x.user)}`);
        await refresh();
      }) },
    ], p, 'No permissions.'));
    fill(topics, simpleTable([
      { label: 'User', cell: x => x.user }, { label: 'Virtual host', cell: x => x.vhost },
      { label: 'Exchange', cell: x => x.exchange }, { label: 'Write', cell: x => x.write }, { label: 'Read', cell: x => x.read },
      { label: '', cell: x => dangerButton('Clear', `Clear ${x.user}'s topic permissions in ${x.vhost}?`, async () => {
        await del(`/topic-permissions/${enc(x.vhost)}/${enc(x.user)}`);
        await refresh();
      }) },
    ], t, 'No topic permissions.'));
  }
  const permForm = form('set-permission', [
    field('User', await userSelect()),
    field('Virtual host', await vhostSelect()),
    field('Configure regexp', input('configure', { value: '.*' })),
    field('Write regexp', input('write', { value: '.*' })),
    field('Read regexp', input('read', { value: '.*' })),
  ], 'Set permission', async v => {
    await put(`/permissions/${enc(v.vhost)}/${enc(v.user)}`, { configure: v.configure, write: v.write, read: v.read });
    await refresh();
    return `Permission set for ${v.user} in ${v.vhost}.`;
  });
  const topicForm = form('set-topic-permission', [
    field('User', await userSelect()),
    field('Virtual host', await vhostSelect()),
    field('Exchange', input('exchange', { value: 'amq.topic' })),
    field('Write regexp', input('write', { value: '.*' })),
    field('Read regexp', input('read', { value: '.*' })),
  ], 'Set topic permission', async v => {
    await put(`/topic-permissions/${enc(v.vhost)}/${enc(v.user)}`, { exchange: v.exchange, write: v.write, read: v.read });
    await refresh();
    return `Topic permission set for ${v.user} in ${v.vhost}.`;
  });
  fill(view, section('Permissions', perms, permForm), section('Topic permissions', topics, topicForm));
  await refresh();
  return refresh;
}
