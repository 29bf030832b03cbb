// A throwaway test CA and server certificates, made with the openssl CLI (Debian's).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ServerCert {
  readonly cert: string;
  readonly key: string;
}

export interface TestPki {
  /** PEM file of the CA (for the main test CA: the one every client of the test trusts). */
  readonly caFile: string;
  /** Issues a certificate for DNS names and IP addresses (a server's, or with `clientAuth` a client's). */
  issue(
    name: string,
    dnsNames: readonly string[],
    ips?: readonly string[],
    extendedKeyUsage?: 'serverAuth' | 'clientAuth',
  ): ServerCert;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A CA in `dir` (the main test CA by default; `name` makes another, e.g. a private CA only one client is given). */
export function createTestPki(dir: string, name = 'cdktf-backstage sign-in e2e test CA'): TestPki {
  const caKey = join(dir, 'ca.key');
  const caFile = join(dir, 'ca.crt');
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', caKey], dir);
  openssl(
    [
      'req',
      '-x509',
      '-new',
      '-key',
      caKey,
      '-sha256',
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-out',
      caFile,
    ],
    dir,
  );
  return {
    caFile,
    issue(name, dnsNames, ips = [], extendedKeyUsage = 'serverAuth') {
      const key = join(dir, `${name}.key`);
      const csr = join(dir, `${name}.csr`);
      const cert = join(dir, `${name}.crt`);
      const ext = join(dir, `${name}.ext`);
      const san = [...dnsNames.map((d) => `DNS:${d}`), ...ips.map((ip) => `IP:${ip}`)].join(',');
      writeFileSync(
        ext,
        `subjectAltName=${san}\nextendedKeyUsage=${extendedKeyUsage}\nkeyUsage=critical,digitalSignature\nbasicConstraints=CA:FALSE\n`,
      );
      openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', key], dir);
      openssl(['req', '-new', '-key', key, '-subj', `/CN=${dnsNames[0] ?? ips[0]}`, '-out', csr], dir);
      openssl(
        [
          'x509',
          '-req',
          '-in',
          csr,
          '-CA',
          caFile,
          '-CAkey',
          caKey,
          '-CAcreateserial',
          '-days',
          '2',
          '-sha256',
          '-extfile',
          ext,
          '-out',
          cert,
        ],
        dir,
      );
      return { cert, key };
    },
  };
}
