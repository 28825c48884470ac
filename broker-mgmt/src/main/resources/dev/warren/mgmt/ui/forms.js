// Form pieces the pages share: the virtual host picker and the key/value editor RabbitMQ's UI uses for
// arguments, headers and policy definitions (each row a key, a value and its type).

import { h, select } from './dom.js';
import { get } from './api.js';

export async function vhostSelect(name = 'vhost', value) {
  const vhosts = await get('/vhosts?columns=name');
  return select(name, vhosts.map(v => v.name), value);
}

const TYPES = [['string', 'String'], ['number', 'Number'], ['boolean', 'Boolean'], ['list', 'List (comma-separated)']];

/** A growing list of key/value rows; value() gives the table as a JSON object (empty keys left out). */
export function keyValueEditor(name) {
  const rows = h('div.kv-rows');
  const el = h('div.kv', { dataset: { kv: name } }, rows);
  function addRow() {
    const key = h('input', { type: 'text', placeholder: 'key', 'aria-label': `${name} key`, oninput: grow });
    const value = h('input', { type: 'text', placeholder: 'value', 'aria-label': `${name} value` });
    const type = select('type', TYPES, 'string');
    rows.append(h('div.kv-row', key, h('span', '='), value, type));
  }
  function grow() {
    const last = rows.lastElementChild;
    if (last && last.querySelector('input').value !== '') addRow();
  }
  addRow();
  el.value = () => {
    const out = {};
    for (const row of rows.children) {
      const [key, value] = row.querySelectorAll('input');
      const type = row.querySelector('select').value;
      if (key.value.trim() === '') continue;
      out[key.value.trim()] = typed(value.value, type, key.value);
    }
    return out;
  };
  el.clear = () => {
    rows.replaceChildren();
    addRow();
  };
  return el;
}

function typed(text, type, key) {
  switch (type) {
    case 'number': {
      const n = Number(text);
      if (text.trim() === '' || Number.isNaN(n)) throw new Error(`${key}: "${text}" is not a number`);
      return n;
    }
    case 'boolean':
      if (text !== 'true' && text !== 'false') throw new Error(`${key}: write true or false`);
      return text === 'true';
    case 'list':
      return text.split(',').map(s => s.trim()).filter(s => s !== '');
    default:
      return text;
  }
}
