/**
 * Cross-site WebSocket hijacking guard. Browsers send cookies with a WebSocket upgrade from any
 * site, and the server sees only the Origin header; so a browser upgrade is accepted only from
 * the page's own host or an origin listed in ALLOWED_ORIGINS ("*" allows all). Clients that send
 * no Origin are not browsers (a browser always sends one) and are let through.
 */
export interface UpgradeOrigin {
  origin: string | undefined;
  /** Host header of the request, as the proxy forwarded it. */
  host: string | undefined;
  /** X-Forwarded-Host, when a proxy rewrote Host; a browser cannot set it on an upgrade. */
  forwardedHost: string | undefined;
}

export function isOriginAllowed(request: UpgradeOrigin, allowedOrigins: readonly string[]): boolean {
  const { origin } = request;
  if (origin === undefined) return true;
  if (allowedOrigins.includes('*') || allowedOrigins.includes(origin)) return true;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false; // "null" (sandboxed frames, file://) and garbage
  }
  const candidates = [request.host, ...(request.forwardedHost?.split(',') ?? [])];
  return candidates.some((host) => host !== undefined && sameHost(parsed, host.trim()));
}

/** Compares the origin's host with a Host header, which leaves out the scheme's default port. */
function sameHost(origin: URL, hostHeader: string): boolean {
  const defaultPort = origin.protocol === 'https:' || origin.protocol === 'wss:' ? '443' : '80';
  const host = hostHeader.toLowerCase().replace(new RegExp(`:${defaultPort}$`), '');
  return host === origin.host;
}
