// Admin › Users: the list, and adding a user with a password and tags.

import { h, fill, link, section, field, input, form } from '../dom.js';
import { get, put, enc } from '../api.js';
import { simpleTable } from '../table.js';

export const TAGS = ['administrator', 'monitoring', 'policymaker', 'management', 'impersonator'];

/** A tags field with one button per common tag, as RabbitMQ's form has. */
export function tagsField(value = '') {
  const tagsInput = input('tags', { value, placeholder: 'comma-separated' });
  const add = tag => {
    const set = new Set(tagsInput.value.split(',').map(t => t.trim()).filter(Boolean));
    set.add(tag);
    tagsInput.value = [...set].join(', ');
  };
  return field('Tags', h('span.tags-input', tagsInput,
    h('span.tag-buttons', TAGS.map(t => h('button.link', { type: 'button', onclick: () => add(t) }, t)))));
}

export async function render(view) {
  const list = h('div');
  async function refresh() {
    const [users, perms] = await Promise.all([get('/users'), get('/permissions')]);
    fill(list, simpleTable([
      { label: 'Name', cell: u => link(u.name, 'admin', 'users', u.name) },
      { label: 'Tags', cell: u => (Array.isArray(u.tags) ? u.tags.join(', ') : u.tags) },
      { label: 'Can access virtual hosts', cell: u => perms.filter(p => p.user === u.name).map(p => p.vhost).join(', ') || 'No access' },
      { label: 'Has password', cell: u => (u.password_hash ? 'yes' : 'no') },
    ], users));
  }
  const addForm = form('add-user', [
    field('Username', input('name', { required: true, autocomplete: 'off' })),
    field('Password', input('password', { type: 'password', autocomplete: 'new-password' })),
    tagsField(),
  ], 'Add user', async v => {
    await put(`/users/${enc(v.name)}`, { password: v.password, tags: v.tags });
    await refresh();
    return `User ${v.name} added.`;
  });
  fill(view, section('All users', list), section('Add a user', addForm));
  await refresh();
  return refresh;
}
