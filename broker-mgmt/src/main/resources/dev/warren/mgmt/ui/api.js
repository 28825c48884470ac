// The management API from the browser: basic auth with the credentials of this tab's session
// (sessionStorage, so they go when the tab closes), JSON in and out, errors as ApiError.

const CREDENTIALS = 'warren.credentials';

export class ApiError extends Error {
  constructor(status, reason) {
    super(reason);
    this.status = status;
  }
}

function base64(text) {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  bytes.forEach(b => { binary += String.fromCharCode(b); });
  return btoa(binary);
}

export function saveCredentials(user, password) {
  sessionStorage.setItem(CREDENTIALS, base64(`${user}:${password}`));
}

export function forgetCredentials() {
  sessionStorage.removeItem(CREDENTIALS);
}

export function hasCredentials() {
  return sessionStorage.getItem(CREDENTIALS) !== null;
}

/** A path segment: the vhost "/" is written %2F. */
export const enc = encodeURIComponent;

/**
 * One API call. A 401 after login means the credentials stopped working (password changed, user deleted):
 * listeners of 'warren:unauthorized' send the user back to the login form.
 */
export async function request(method, path, body, extraHeaders = {}) {
  const headers = {
    'Authorization': `Basic ${sessionStorage.getItem(CREDENTIALS) ?? ''}`,
    // marks the UI's calls: the broker then sends no basic-auth challenge, so no browser login dialog
    'X-Requested-With': 'XMLHttpRequest',
    ...extraHeaders,
  };
  const init = { method, headers, credentials: 'omit', cache: 'no-store' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
  }
  const response = await fetch(`api${path}`, init);
  const text = await response.text();
  const json = text ? JSON.parse(text) : null;
  if (!response.ok) {
    if (response.status === 401) {
      window.dispatchEvent(new CustomEvent('warren:unauthorized'));
    }
    throw new ApiError(response.status, json?.reason ?? response.statusText);
  }
  return json;
}

export const get = path => request('GET', path);
export const put = (path, body) => request('PUT', path, body ?? {});
export const post = (path, body) => request('POST', path, body ?? {});
export const del = (path, headers) => request('DELETE', path, undefined, headers);
