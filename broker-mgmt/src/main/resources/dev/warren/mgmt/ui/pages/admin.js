// Admin: a sub-navigation over the administrator's pages. Policymakers see only Policies, as the API
// lets them manage policies and nothing else here.

import { h, fill } from '../dom.js';
import * as users from './admin-users.js';
import * as user from './admin-user.js';
import * as vhosts from './admin-vhosts.js';
import * as permissions from './admin-permissions.js';
import * as policies from './admin-policies.js';
import * as limits from './admin-limits.js';
import * as definitions from './admin-definitions.js';

const SECTIONS = [
  ['users', 'Users', users, true],
  ['vhosts', 'Virtual hosts', vhosts, true],
  ['permissions', 'Permissions', permissions, true],
  ['policies', 'Policies', policies, false],
  ['limits', 'Limits', limits, true],
  ['definitions', 'Definitions', definitions, true],
];

export async function render(view, { section, name }, ctx) {
  const allowed = SECTIONS.filter(([, , , adminOnly]) => ctx.isAdmin || (!adminOnly && ctx.isPolicymaker));
  if (allowed.length === 0) {
    fill(view, h('h1', 'Admin'), h('p', 'Your user has no administrative tags.'));
    return null;
  }
  const current = allowed.find(([id]) => id === section) ?? allowed[0];
  const body = h('div');
  fill(view, h('h1', 'Admin'),
    h('nav.subnav', allowed.map(([id, text]) => h('a', { href: `#/admin/${id}`, class: id === current[0] ? 'active' : null }, text))),
    body);
  const page = current[0] === 'users' && name !== undefined ? user : current[2];
  return page.render(body, { name }, ctx);
}
