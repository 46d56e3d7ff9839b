/**
 * OAuth 2.0 error responses (RFC 6749 §5.2, RFC 7009 §2.2.1, RFC 8693 §2.2.2, RFC 9449 §5): a code,
 * a human description, and the HTTP status the code goes out with.
 */

/** Error codes the broker answers with. */
export const OAUTH_ERRORS = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'invalid_target',
  'invalid_dpop_proof',
  'unsupported_token_type',
] as const;
export type OAuthErrorCode = (typeof OAUTH_ERRORS)[number];

/** A rejected request: thrown inside the broker, turned into a JSON response by the HTTP layer. */
export class OAuthError extends Error {
  override name = 'OAuthError';
  readonly code: OAuthErrorCode;
  readonly status: number;

  constructor(code: OAuthErrorCode, description: string, status?: number) {
    super(description);
    this.code = code;
    // invalid_client is 401 (the client failed to authenticate); every other code is 400 (RFC 6749 §5.2).
    this.status = status ?? (code === 'invalid_client' ? 401 : 400);
  }

  /** The response body: `{error, error_description}`. */
  body(): { error: OAuthErrorCode; error_description: string } {
    return { error: this.code, error_description: this.message };
  }
}
