// Tables. ListTable pages, sorts and filters on the broker (RabbitMQ's page, page_size, sort,
// sort_reverse, name and use_regex query options), so a broker with 10,000 queues sends one page.
// simpleTable shows a short list that is already at hand.

import { h, fill } from './dom.js';
import { get } from './api.js';
import { count } from './format.js';

const PAGE_SIZES = [20, 100, 500];

/**
 * A column: label, cell(row) → text or node, sort (the dotted field the broker sorts by; none: not
 * sortable), numeric (right-aligned).
 */
function headerRow(columns, state, onSort) {
  return h('tr', columns.map(col => {
    if (!col.sort) return h('th', { class: col.numeric ? 'num' : null }, col.label);
    const active = state && state.sort === col.sort;
    const arrow = active ? (state.reverse ? ' ▼' : ' ▲') : '';
    return h('th', { class: ['sortable', col.numeric ? 'num' : ''].join(' ').trim() },
      h('button.link', { type: 'button', onclick: () => onSort(col.sort) }, col.label + arrow));
  }));
}

function bodyRows(columns, rows, emptyText) {
  if (rows.length === 0) {
    return [h('tr', h('td.empty', { colSpan: columns.length }, emptyText))];
  }
  return rows.map(row => h('tr', columns.map(col => h('td', { class: col.numeric ? 'num' : null }, col.cell(row)))));
}

export function simpleTable(columns, rows, emptyText = 'None.') {
  return h('div.table-wrap', h('table', h('thead', headerRow(columns)), h('tbody', bodyRows(columns, rows, emptyText))));
}

export class ListTable {
  /** @param path () => the list's API path without a query, e.g. '/queues' or '/queues/%2F' */
  constructor({ name, path, columns, sort = 'name', emptyText = 'None.' }) {
    this.path = path;
    this.columns = columns;
    this.emptyText = emptyText;
    this.state = { page: 1, size: 100, sort, reverse: false, filter: '', regex: false };
    this.filterInput = h('input', { type: 'search', name: 'filter', placeholder: 'Filter by name', oninput: () => this.filterChanged() });
    this.regexBox = h('input', { type: 'checkbox', name: 'regex', onchange: () => this.filterChanged() });
    this.summary = h('span.summary');
    this.pager = h('span.pager');
    this.thead = h('thead');
    this.tbody = h('tbody');
    this.element = h('div.list', { dataset: { table: name } },
      h('div.list-controls', this.filterInput, h('label.inline', this.regexBox, ' Regex'), this.summary, this.pager),
      h('div.table-wrap', h('table', this.thead, this.tbody)));
    this.pending = null;
    this.asked = 0;
  }

  filterChanged() {
    clearTimeout(this.pending);
    this.pending = setTimeout(() => {
      this.state.filter = this.filterInput.value;
      this.state.regex = this.regexBox.checked;
      this.state.page = 1;
      this.refresh();
    }, 250);
  }

  /** The broker's regular expressions are Java's; what JavaScript cannot parse is not sent. */
  validFilter() {
    if (!this.state.regex) return true;
    try {
      new RegExp(this.state.filter);
      return true;
    } catch {
      return false;
    }
  }

  query() {
    const s = this.state;
    const q = new URLSearchParams({ page: s.page, page_size: s.size, sort: s.sort, sort_reverse: s.reverse });
    if (s.filter) {
      q.set('name', s.filter);
      q.set('use_regex', s.regex);
    }
    return q.toString();
  }

  async refresh() {
    this.filterInput.classList.toggle('invalid', !this.validFilter());
    if (!this.validFilter()) return;
    // the timer and the user may both ask; only the answer to the latest question is shown
    const asked = ++this.asked;
    const result = await get(`${this.path()}?${this.query()}`);
    if (asked !== this.asked) return;
    // a page that no longer exists (items went away): show the last one next time
    if (this.state.page > Math.max(1, result.page_count)) {
      this.state.page = Math.max(1, result.page_count);
      return this.refresh();
    }
    fill(this.thead, headerRow(this.columns, this.state, field => this.sortBy(field)));
    fill(this.tbody, bodyRows(this.columns, result.items, this.emptyText));
    const first = result.item_count === 0 ? 0 : (result.page - 1) * result.page_size + 1;
    const filtered = result.filtered_count === result.total_count ? '' : ` (filtered from ${count(result.total_count)})`;
    this.summary.textContent = `${count(first)}–${count(first + result.item_count - Math.sign(first))} of ${count(result.filtered_count)}${filtered}`;
    fill(this.pager,
      h('button', { type: 'button', disabled: result.page <= 1, onclick: () => this.go(-1) }, '‹ Prev'),
      ` page ${result.page} of ${Math.max(1, result.page_count)} `,
      h('button', { type: 'button', disabled: result.page >= result.page_count, onclick: () => this.go(1) }, 'Next ›'),
      h('select', { name: 'page_size', onchange: e => this.resize(Number(e.target.value)) },
        PAGE_SIZES.map(n => h('option', { value: n, selected: n === this.state.size }, `${n} per page`))));
  }

  sortBy(field) {
    this.state.reverse = this.state.sort === field ? !this.state.reverse : false;
    this.state.sort = field;
    this.refresh();
  }

  go(delta) {
    this.state.page += delta;
    this.refresh();
  }

  resize(size) {
    this.state.size = size;
    this.state.page = 1;
    this.refresh();
  }
}
