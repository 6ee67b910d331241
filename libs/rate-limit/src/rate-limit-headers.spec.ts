import { rateLimitHeaders } from './rate-limit-headers.js';

describe('rateLimitHeaders', () => {
  it.each([
    [
      'the first hit of a window',
      { allowed: true, limit: 60, remaining: 59, resetMs: 60_000 },
      {
        'X-RateLimit-Limit': '60',
        'X-RateLimit-Remaining': '59',
        'X-RateLimit-Reset': '60',
        'RateLimit-Policy': '"default";q=60;w=60',
        RateLimit: '"default";r=59;t=60',
      },
    ],
    [
      'the last allowed hit, reset rounded up',
      { allowed: true, limit: 60, remaining: 0, resetMs: 17_001 },
      {
        'X-RateLimit-Limit': '60',
        'X-RateLimit-Remaining': '0',
        'X-RateLimit-Reset': '18',
        'RateLimit-Policy': '"default";q=60;w=60',
        RateLimit: '"default";r=0;t=18',
      },
    ],
    [
      'a rejected hit, with Retry-After',
      { allowed: false, limit: 60, remaining: 0, resetMs: 42_500 },
      {
        'X-RateLimit-Limit': '60',
        'X-RateLimit-Remaining': '0',
        'X-RateLimit-Reset': '43',
        'RateLimit-Policy': '"default";q=60;w=60',
        RateLimit: '"default";r=0;t=43',
        'Retry-After': '43',
      },
    ],
    [
      'a rejected hit 1 ms before the window ends (never 0 s)',
      { allowed: false, limit: 60, remaining: 0, resetMs: 1 },
      {
        'X-RateLimit-Limit': '60',
        'X-RateLimit-Remaining': '0',
        'X-RateLimit-Reset': '1',
        'RateLimit-Policy': '"default";q=60;w=60',
        RateLimit: '"default";r=0;t=1',
        'Retry-After': '1',
      },
    ],
  ])('gives the headers of %s', (_case, state, expected) => {
    expect(rateLimitHeaders(state, 60)).toEqual(expected);
  });

  it('names the policy and its window', () => {
    const headers = rateLimitHeaders({ allowed: true, limit: 10, remaining: 9, resetMs: 300 }, 1, 'compat');
    expect(headers['RateLimit-Policy']).toBe('"compat";q=10;w=1');
    expect(headers.RateLimit).toBe('"compat";r=9;t=1');
  });
});
