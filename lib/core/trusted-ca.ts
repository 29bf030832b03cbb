import * as z from 'zod';

import { kubernetesSubdomainName, secretKey } from './schemas';

// CA certificates the library's programs trust beyond their images' public roots: the
// cluster's CA for an API server that is its own service-account issuer (its discovery and
// JWKS at https://kubernetes.default.svc...), a company CA for an LDAPS directory or an
// internal IdP. A CA certificate is public, so it comes from a ConfigMap: every namespace
// has `kube-root-ca.crt` (key `ca.crt`) since Kubernetes 1.21, and trust-manager's Bundles
// write ConfigMaps too. How each program is told:
//
// - Node (Backstage) reads NODE_EXTRA_CA_CERTS, one PEM file that may hold several
//   certificates, once at start, and adds them to its bundled roots (fetch included).
// - Go (oauth2-proxy) reads SSL_CERT_DIR in place of its default directories, every file in
//   them (a ConfigMap volume's `<key> -> ..data/<key>` link included: only links without a
//   slash are skipped), and still its default bundle file (/etc/ssl/certs/ca-certificates.crt
//   in the distroless image), so the public roots stay (crypto/x509 root_unix.go).

/** A PEM bundle of CA certificates in a ConfigMap of the workload's namespace. */
export interface TrustedCaBundle {
  /** The ConfigMap, e.g. `kube-root-ca.crt` (the cluster's CA, in every namespace). */
  readonly configMapName: string;
  /** Its key holding the PEM certificates, e.g. `ca.crt`. */
  readonly key: string;
}

/** @internal */
export const trustedCaBundleSchema = z.strictObject({
  configMapName: kubernetesSubdomainName,
  key: secretKey,
}) satisfies z.ZodType<TrustedCaBundle>;

const VOLUME_NAME = 'trusted-ca';
const FILE = 'ca.pem';

/**
 * @internal The volume, mount and environment that make a container trust `bundle`: mounted
 * read-only at `mountPath`, named to the program by `env` (NODE_EXTRA_CA_CERTS gets the
 * file, SSL_CERT_DIR the directory); and the ConfigMap to restart the pods on (both programs
 * read the bundle once, at start).
 */
export function trustedCaWiring(
  bundle: TrustedCaBundle | undefined,
  mountPath: string,
  env: 'NODE_EXTRA_CA_CERTS' | 'SSL_CERT_DIR',
) {
  if (bundle === undefined) {
    return { volumes: [], volumeMounts: [], env: [], configMaps: [] };
  }
  return {
    volumes: [
      {
        name: VOLUME_NAME,
        configMap: { name: bundle.configMapName, items: [{ key: bundle.key, path: FILE }] },
      },
    ],
    volumeMounts: [{ name: VOLUME_NAME, mountPath, readOnly: true }],
    env: [{ name: env, value: env === 'NODE_EXTRA_CA_CERTS' ? `${mountPath}/${FILE}` : mountPath }],
    configMaps: [bundle.configMapName],
  };
}
