// Admin › one user: tags and password, permissions and topic permissions in each vhost, deleting.

import { h, fill, section, field, input, form, dangerButton } from '../dom.js';
import { get, put, del, enc } from '../api.js';
import { simpleTable } from '../table.js';
import { vhostSelect } from '../forms.js';
import { tagsField } from './admin-users.js';

export async function render(view, { name }) {
  const u = await get(`/users/${enc(name)}`);
  const perms = h('div');
  const topic = h('div');
  async function refresh() {
    const [p, t] = await Promise.all([get(`/users/${enc(name)}/permissions`), get(`/users/${enc(name)}/topic-permissions`)]);
    fill(perms, simpleTable([
      { label: 'Virtual host', cell: x => x.vhost }, { label: 'Configure', cell: x => x.configure },
      { label: 'Write', cell: x => x.write }, { label: 'Read', cell: x => x.read },
      { label: '', cell: x => dangerButton('Clear', `Clear ${name}'s permissions in ${x.vhost}?`, async () => {
        await del(`/permissions/${enc(x.vhost)}/${enc(name)}`);
        await refresh();
      }) },
    ], p, 'No permissions.'));
    fill(topic, simpleTable([
      { label: 'Virtual host', cell: x => x.vhost }, { label: 'Exchange', cell: x => x.exchange },
      { label: 'Write', cell: x => x.write }, { label: 'Read', cell: x => x.read },
    ], t, 'No topic permissions.'));
  }
  const updateForm = form('update-user', [
    field('New password', input('password', { type: 'password', autocomplete: 'new-password' }), 'leave empty to keep the password'),
    tagsField(Array.isArray(u.tags) ? u.tags.join(', ') : u.tags),
  ], 'Update user', async v => {
    const body = { tags: v.tags };
    if (v.password) body.password = v.password; // none: the broker keeps the old one
    await put(`/users/${enc(name)}`, body);
    return 'User updated.';
  });
  const permForm = form('set-permission', [
    field('Virtual host', await vhostSelect()),
    field('Configure regexp', input('configure', { value: '.*' })),
    field('Write regexp', input('write', { value: '.*' })),
    field('Read regexp', input('read', { value: '.*' })),
  ], 'Set permission', async v => {
    await put(`/permissions/${enc(v.vhost)}/${enc(name)}`, { configure: v.configure, write: v.write, read: v.read });
    await refresh();
    return 'Permission set.';
  });
  fill(view, h('h2', 'User ', h('span.name', name)),
    section('Permissions', perms, permForm),
    section('Topic permissions', topic),
    section('Update this user', updateForm),
    section('Delete this user', dangerButton('Delete', `Delete user ${name}?`, async () => {
      await del(`/users/${enc(name)}`);
      location.hash = '#/admin/users';
    })));
  await refresh();
  return refresh;
}
