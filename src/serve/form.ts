/**
 * Strict `application/x-www-form-urlencoded` parsing for OAuth endpoints: ASCII only, `+` is a space,
 * malformed percent-escapes and invalid UTF-8 are errors, a parameter sent with an empty value counts
 * as omitted (RFC 6749 §3.1), and a parameter may appear once unless the endpoint lists it as
 * repeatable (RFC 8693 lets `audience` and `resource` repeat).
 */
import { OAuthError } from './oauth-error.js';

/** Parsed parameters: one value each, except repeatable names, which keep every value in order. */
export interface FormParams {
  readonly single: ReadonlyMap<string, string>;
  readonly multi: ReadonlyMap<string, readonly string[]>;
}

const MAX_PARAMS = 64;

function decode(text: string): string {
  // Most values (JWTs, ids, grant types) need no decoding: skip decodeURIComponent's copy for them.
  if (text.indexOf('%') < 0 && text.indexOf('+') < 0) return text;
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw new OAuthError('invalid_request', 'malformed percent-encoding in the form body');
  }
}

/** Parses a form body; `repeatable` names may appear several times. Throws OAuthError(invalid_request). */
export function parseForm(body: string, repeatable: ReadonlySet<string> = new Set()): FormParams {
  if (/[^\x20-\x7e]/.test(body))
    throw new OAuthError('invalid_request', 'the form body must be printable ASCII (percent-encode the rest)');
  const single = new Map<string, string>();
  const multi = new Map<string, string[]>();
  const seen = new Set<string>();
  const parts = body === '' ? [] : body.split('&');
  if (parts.length > MAX_PARAMS) throw new OAuthError('invalid_request', `too many parameters (at most ${MAX_PARAMS})`);
  for (const part of parts) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = decode(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? '' : decode(part.slice(eq + 1));
    if (value === '') continue;
    if (repeatable.has(name)) {
      const list = multi.get(name) ?? [];
      list.push(value);
      multi.set(name, list);
      continue;
    }
    if (seen.has(name)) throw new OAuthError('invalid_request', `parameter ${JSON.stringify(name)} appears more than once`);
    seen.add(name);
    single.set(name, value);
  }
  return { single, multi };
}

/** Decodes an RFC 6749 §2.3.1 Basic client credential (`client_id:client_secret`, each form-encoded). */
export function parseBasicAuth(header: string): { clientId: string; secret: string } {
  const match = /^Basic ([A-Za-z0-9+/]+=*)$/i.exec(header.trim());
  if (match === null) throw new OAuthError('invalid_client', 'Authorization must be Basic base64(client_id:client_secret)');
  const text = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) throw new OAuthError('invalid_client', 'Basic credentials have no ":"');
  return { clientId: decode(text.slice(0, colon)), secret: decode(text.slice(colon + 1)) };
}
