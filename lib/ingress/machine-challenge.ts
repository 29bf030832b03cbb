// The machine host's authentication challenge. oauth2-proxy (v7.15.6) answers a request
// without an acceptable token with a bare 401, and nginx passes on a denied auth
// subrequest's WWW-Authenticate only when the auth endpoint sends one, so API and MCP
// clients would get no hint of the scheme. ingress-nginx's `custom-headers` annotation
// (a ConfigMap of response headers, rendered as `more_set_headers`, which applies to every
// status nginx answers with, its own 401 included) adds it without a snippet. RFC 9110
// (11.6.1) allows the header on other responses too: it tells the client that credentials
// change the answer, which is true of every path of the machine host.

/** The response header of the challenge. */
export const MACHINE_CHALLENGE_HEADER = 'WWW-Authenticate';

/** @internal The challenge for a machine host: bearer tokens (RFC 6750), the host as realm. */
export function machineChallenge(host: string): string {
  return `Bearer realm="${host}"`;
}
