// Every pinned default of the library, in one place, each with where it was checked.
// Images are fully qualified references that upstream publishes (a short name resolves
// against whatever registry the node is configured with, or fails to pull). Charts are the
// versions the deploy suite installs from the upstream release packages.

/** A chart in a Helm repository, at one version. */
export interface PinnedChart {
  /** Helm repository URL (https). */
  readonly repository: string;
  /** Chart name in that repository. */
  readonly chart: string;
  /** Exact chart version. */
  readonly version: string;
}

/** The oauth2-proxy release this library renders config for (alpha config of v7.14+). */
export const OAUTH2_PROXY_VERSION = 'v7.15.6';

/**
 * The images the constructs run when no `image` is given.
 */
export const DEFAULT_IMAGES = Object.freeze({
  /**
   * oauth2-proxy, from the registry its README names (quay.io/oauth2-proxy): it is not
   * published on Docker Hub under that name.
   */
  oauth2Proxy: `quay.io/oauth2-proxy/oauth2-proxy:${OAUTH2_PROXY_VERSION}`,
  /**
   * PostgreSQL 17.9, the Docker official image (docker-library/postgres versions.json lists
   * 17.9 for bookworm and trixie); runs as uid 999.
   */
  postgres: 'docker.io/library/postgres:17.9',
});

/**
 * The chart each operator installs when no `chart` is given: the project's own Helm
 * repository, at a pinned version. Mirror them for air-gapped clusters with
 * `ChartSource.repository(mirrorUrl, DEFAULT_CHARTS.certManager.chart, DEFAULT_CHARTS.certManager.version)`,
 * or put the packaged charts in a directory named by the `cdktf-backstage:chartDirectory` context.
 */
export const DEFAULT_CHARTS = Object.freeze({
  /** ingress-nginx chart 4.15.1 = controller v1.15.1, the last release before the project was retired. */
  ingressNginx: Object.freeze({
    repository: 'https://kubernetes.github.io/ingress-nginx',
    chart: 'ingress-nginx',
    version: '4.15.1',
  }),
  /** cert-manager v1.19.6: the 1.19 patch that closes GHSA-8rvj-mm4h-c258 (cert-manager charts carry the "v"). */
  certManager: Object.freeze({
    repository: 'https://charts.jetstack.io',
    chart: 'cert-manager',
    version: 'v1.19.6',
  }),
  /**
   * External Secrets Operator 2.9.0 (serves external-secrets.io/v1; 1.x is out of support): the
   * newest chart whose upstream release this project installs and tests against.
   */
  externalSecrets: Object.freeze({
    repository: 'https://charts.external-secrets.io',
    chart: 'external-secrets',
    version: '2.9.0',
  }),
  /** Stakater Reloader chart 2.2.11 (Reloader v1.4.16). */
  reloader: Object.freeze({
    repository: 'https://stakater.github.io/stakater-charts',
    chart: 'reloader',
    version: '2.2.11',
  }),
}) satisfies Readonly<Record<string, PinnedChart>>;
