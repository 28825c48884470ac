// Admin › Virtual hosts: the list with message counts, adding and deleting.

import { h, fill, section, field, input, form, dangerButton } from '../dom.js';
import { get, put, del, enc } from '../api.js';
import { simpleTable } from '../table.js';
import { count } from '../format.js';

export async function render(view) {
  const list = h('div');
  async function refresh() {
    fill(list, simpleTable([
      { label: 'Name', cell: v => v.name },
      { label: 'Ready', numeric: true, cell: v => count(v.messages_ready) },
      { label: 'Unacked', numeric: true, cell: v => count(v.messages_unacknowledged) },
      { label: 'Total', numeric: true, cell: v => count(v.messages) },
      { label: '', cell: v => dangerButton('Delete', `Delete virtual host ${v.name} and everything in it?`, async () => {
        await del(`/vhosts/${enc(v.name)}`);
        await refresh();
      }) },
    ], await get('/vhosts')));
  }
  const addForm = form('add-vhost', [
    field('Name', input('name', { required: true })),
  ], 'Add virtual host', async v => {
    await put(`/vhosts/${enc(v.name)}`, {});
    await refresh();
    return `Virtual host ${v.name} added.`;
  });
  fill(view, section('All virtual hosts', list), section('Add a new virtual host', addForm));
  await refresh();
  return refresh;
}
