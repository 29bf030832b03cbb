import { AcmeDns01Options, TlsSource } from './tls-source';

// The factory's old name, kept for one minor version.

/**
 * A certificate from an ACME CA through cert-manager, proven with a DNS-01 challenge.
 * @deprecated Use {@link TlsSource.acmeDns01}, which takes the same options; `acmeDns01`
 * will be removed in the next minor version.
 */
export function acmeDns01(options: AcmeDns01Options): TlsSource {
  return TlsSource.acmeDns01(options);
}
