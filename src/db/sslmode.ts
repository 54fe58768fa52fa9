// ASVS V9.2.2 / V13.2.6 (issue 11): in production, a database reached over a network is reached over TLS. A
// connection string to a host other than this machine (or a host named in DATABASE_LOCAL_HOSTS, e.g. the compose
// service on the same docker network) must say sslmode=require, verify-ca or verify-full; otherwise the process
// refuses to start, rather than send passwords and personal data in clear text.

const TLS_MODES = new Set(['require', 'verify-ca', 'verify-full']);
const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[?::1\]?)$/i;

/** True when the connection string names this machine (loopback or a unix socket) or a host declared local. */
function isLocal(url: URL, localHosts: ReadonlySet<string>): boolean {
  const socket = url.searchParams.get('host');
  if (socket?.startsWith('/')) return true;
  const host = decodeURIComponent(url.hostname).toLowerCase();
  return host === '' || host.startsWith('/') || LOOPBACK.test(host) || localHosts.has(host);
}

/** The settings (by name) whose connection string reaches a remote host without requiring TLS. */
export function urlsWithoutTls(urls: Record<string, string | undefined>, localHosts: readonly string[]): string[] {
  const local = new Set(localHosts.map((host) => host.trim().toLowerCase()).filter(Boolean));
  return Object.entries(urls).filter(([, value]) => {
    if (!value) return false;
    const url = new URL(value);
    return !isLocal(url, local) && !TLS_MODES.has(url.searchParams.get('sslmode') ?? '');
  }).map(([name]) => name);
}
