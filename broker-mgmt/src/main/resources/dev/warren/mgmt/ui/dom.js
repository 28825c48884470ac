// Building the page: h() makes elements, the rest are small helpers the pages share.

/**
 * h('a.link', {href: '#/'}, 'text', child...) — a tag with optional classes after dots, attributes
 * (on* functions become listeners, null/false ones are left out) and children (strings become text).
 */
export function h(spec, attrs = {}, ...children) {
  const [tag, ...classes] = spec.split('.');
  const el = document.createElement(tag || 'div');
  if (classes.length) el.className = classes.join(' ');
  if (attrs instanceof Node || typeof attrs !== 'object' || Array.isArray(attrs)) {
    children.unshift(attrs);
    attrs = {};
  }
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value);
    } else if (name === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (name in el && typeof value !== 'string') {
      el[name] = value;
    } else {
      el.setAttribute(name, value === true ? '' : value);
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

/** Replaces an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A hash link to a page of the UI; parts are encoded as path segments. */
export function link(text, ...parts) {
  return h('a', { href: '#/' + parts.map(encodeURIComponent).join('/') }, text);
}

/** A section with a heading. */
export function section(title, ...children) {
  return h('section.box', h('h2', title), ...children);
}

/** A definition list of label → value pairs (values may be nodes). */
export function facts(pairs) {
  return h('dl.facts', pairs.flatMap(([label, value]) => [h('dt', label), h('dd', value ?? '—')]));
}

/** A labelled form field. */
export function field(label, input, hint) {
  return h('label.field', h('span.label', label), input, hint ? h('small.hint', hint) : null);
}

export function input(name, attrs = {}) {
  return h('input', { name, type: 'text', ...attrs });
}

export function select(name, options, value) {
  return h('select', { name }, options.map(o => {
    const [v, text] = Array.isArray(o) ? o : [o, o];
    return h('option', { value: v, selected: v === value }, text);
  }));
}

/**
 * A form that runs an async action on submit, shows what it says (or the API's refusal) under the
 * button, and stays usable. The action gets the form's values as an object.
 */
export function form(name, fields, submitText, action) {
  const status = h('p.status', { role: 'status' });
  const el = h('form.form', { name, novalidate: true },
    fields, h('div.actions', h('button', { type: 'submit' }, submitText), status));
  el.addEventListener('submit', async event => {
    event.preventDefault();
    status.className = 'status';
    status.textContent = '…';
    try {
      const said = await action(values(el), el);
      status.className = 'status ok';
      status.textContent = said ?? 'Done.';
    } catch (e) {
      status.className = 'status error';
      status.textContent = e.message;
    }
  });
  return el;
}

/** The named fields of a form: checkboxes as booleans, the rest as strings. */
export function values(formEl) {
  const out = {};
  for (const el of formEl.elements) {
    if (!el.name || el.closest('.kv')) continue;
    out[el.name] = el.type === 'checkbox' ? el.checked : el.value;
  }
  return out;
}

/** A button that asks first, runs an async action and reports a failure in place. */
export function dangerButton(text, question, action) {
  const status = h('span.status');
  const button = h('button.danger', {
    type: 'button',
    onclick: async () => {
      if (!window.confirm(question)) return;
      status.className = 'status';
      status.textContent = '…';
      try {
        status.textContent = (await action()) ?? '';
      } catch (e) {
        status.className = 'status error';
        status.textContent = e.message;
      }
    },
  }, text);
  return h('span.danger-action', button, status);
}
