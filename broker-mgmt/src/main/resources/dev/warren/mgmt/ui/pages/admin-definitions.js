// Admin › Definitions: export every definition as RabbitMQ's JSON file, and import one.

import { h, fill, section, form, field } from '../dom.js';
import { get, post } from '../api.js';

export async function render(view) {
  const download = h('button', {
    type: 'button', name: 'download',
    onclick: async () => {
      const definitions = await get('/definitions');
      const blob = new Blob([JSON.stringify(definitions, null, 2)], { type: 'application/json' });
      const a = h('a', { href: URL.createObjectURL(blob), download: `warren-definitions-${new Date().toISOString().slice(0, 10)}.json` });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    },
  }, 'Download definitions');
  const file = h('input', { type: 'file', name: 'file', accept: '.json,application/json' });
  const upload = form('import-definitions', [field('Definitions file', file)], 'Upload definitions', async () => {
    if (!file.files.length) throw new Error('Choose a file first.');
    const text = await file.files[0].text();
    try {
      JSON.parse(text);
    } catch {
      throw new Error('The file is not JSON.');
    }
    await post('/definitions', text);
    return 'Definitions imported.';
  });
  fill(view,
    section('Export definitions', h('p', 'Users, virtual hosts, permissions, policies, limits, exchanges, queues and bindings, in RabbitMQ\'s format.'), download),
    section('Import definitions', upload));
  return null;
}
