/**
 * One webhook attempt and the retry policy. An attempt POSTs the JSON body with the channel's
 * headers and a timeout; its outcome says whether trying again can help:
 *  - 2xx: delivered;
 *  - network error, timeout, 408, 429, 5xx: retryable (the receiver or the path may recover);
 *  - any other status (400, 401, 404…): final, retrying the same request cannot succeed.
 * Errors are described without the URL or header values: both may carry credentials.
 */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface AttemptOutcome {
  delivered: boolean;
  retryable: boolean;
  status?: number;
  error?: string;
  /** Retry-After of a 429/503, in ms. */
  retryAfterMs?: number;
}

/** Backoff cap: retries never wait longer than this. */
export const MAX_BACKOFF_MS = 5 * 60_000;

export async function attemptWebhook(
  fetchImpl: FetchLike,
  request: {
    url: string;
    headers: Record<string, string>;
    body: string;
    timeoutMs: number;
    signal: AbortSignal;
  },
): Promise<AttemptOutcome> {
  const timeout = AbortSignal.timeout(request.timeoutMs);
  try {
    const { url, authorization } = splitCredentials(request.url);
    const response = await fetchImpl(url, {
      method: 'POST',
      headers: requestHeaders(request.headers, authorization),
      body: request.body,
      signal: AbortSignal.any([timeout, request.signal]),
      redirect: 'follow',
    });
    // The body is not needed; release the connection.
    await response.body?.cancel().catch(() => {});
    const status = response.status;
    if (status >= 200 && status < 300) return { delivered: true, retryable: false, status };
    const retryable = status === 408 || status === 429 || status >= 500;
    return {
      delivered: false,
      retryable,
      status,
      error: `HTTP ${status}${response.statusText ? ` ${response.statusText}` : ''}`,
      retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
    };
  } catch (error) {
    if (request.signal.aborted)
      return { delivered: false, retryable: false, error: 'cancelled (hub stopping)' };
    if (timeout.aborted)
      return { delivered: false, retryable: true, error: `timed out after ${request.timeoutMs} ms` };
    return { delivered: false, retryable: true, error: describeNetworkError(error) };
  }
}

/**
 * fetch() refuses URLs with credentials (https://user:pass@host/…), which some receivers document:
 * send them as Basic authorization instead.
 */
export function splitCredentials(raw: string): { url: string; authorization?: string } {
  const url = new URL(raw);
  if (!url.username && !url.password) return { url: raw };
  const pair = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  url.username = '';
  url.password = '';
  return { url: url.toString(), authorization: `Basic ${Buffer.from(pair).toString('base64')}` };
}

/** The channel's headers (an explicit Authorization wins over URL credentials); the body is always JSON. */
function requestHeaders(user: Record<string, string>, authorization?: string): Record<string, string> {
  const headers: Record<string, string> = { 'user-agent': 'agent-centralizer-hub' };
  if (authorization) headers.authorization = authorization;
  for (const [name, value] of Object.entries(user)) {
    const lower = name.toLowerCase();
    if (lower !== 'content-type') headers[lower] = value;
  }
  headers['content-type'] = 'application/json';
  return headers;
}

/** fetch() rejects with "fetch failed" and the real reason (ECONNREFUSED…) in `cause`. */
export function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  const message =
    typeof cause?.message === 'string'
      ? cause.message
      : error instanceof Error
        ? error.message
        : String(error);
  return withoutCredentials(code && !message.includes(code) ? `${code}: ${message}` : message).slice(0, 300);
}

/** Masks `user:password@` in any URL a lower layer put into a message. */
export const withoutCredentials = (text: string): string =>
  text.replace(/(\/\/[^:/@\s]+:)[^@\s]+@/g, '$1***@');

function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * Delay before attempt `attempt + 1` after `attempt` failed ones: base · 2^(attempt−1), capped, with
 * "equal jitter" (between half and all of it) so many deliveries failing together do not retry in
 * lockstep. A Retry-After the receiver sent is honoured up to the cap.
 */
export function backoffMs(
  attempt: number,
  baseMs: number,
  random: () => number,
  retryAfterMs?: number,
): number {
  const exp = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = exp / 2 + (random() * exp) / 2;
  return Math.round(Math.max(jittered, Math.min(retryAfterMs ?? 0, MAX_BACKOFF_MS)));
}
