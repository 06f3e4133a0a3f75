import { describe, expect, it } from 'vitest';
import { isOriginAllowed } from './origin.ts';

const request = (origin: string | undefined, host = 'chat.example.com', forwardedHost?: string) => ({
  origin,
  host,
  forwardedHost,
});

describe('isOriginAllowed', () => {
  it('allows clients that send no Origin (not browsers)', () => {
    expect(isOriginAllowed(request(undefined), [])).toBe(true);
  });

  it("allows the page's own host, with or without the default port", () => {
    expect(isOriginAllowed(request('https://chat.example.com'), [])).toBe(true);
    expect(isOriginAllowed(request('https://chat.example.com', 'chat.example.com:443'), [])).toBe(true);
    expect(isOriginAllowed(request('http://localhost:8080', 'localhost:8080'), [])).toBe(true);
    expect(isOriginAllowed(request('http://LOCALHOST:8080', 'localhost:8080'), [])).toBe(true);
  });

  it('refuses other sites, other ports, and the null origin', () => {
    expect(isOriginAllowed(request('https://evil.example.net'), [])).toBe(false);
    expect(isOriginAllowed(request('http://localhost:9999', 'localhost:8080'), [])).toBe(false);
    expect(isOriginAllowed(request('null'), [])).toBe(false);
  });

  it('allows listed origins exactly, and everything with *', () => {
    expect(isOriginAllowed(request('https://app.example.org'), ['https://app.example.org'])).toBe(true);
    expect(isOriginAllowed(request('http://app.example.org'), ['https://app.example.org'])).toBe(false);
    expect(isOriginAllowed(request('https://evil.example.net'), ['*'])).toBe(true);
  });

  it('matches the host a proxy forwarded in X-Forwarded-Host', () => {
    expect(isOriginAllowed(request('https://chat.example.com', 'chat-internal:8080', 'chat.example.com'), [])).toBe(
      true,
    );
  });
});
