// Debian's Chromium driven by playwright-core (no browser download). The portal's public
// name and ports are mapped onto the loopback nginx with --host-resolver-rules, and the
// test CA is trusted through an NSS database in a throwaway HOME (how Chromium on Linux
// trusts a private CA), so TLS is verified as for a real user.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Browser } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface BrowserHandle {
  readonly browser: Browser;
  close(): Promise<void>;
}

export async function launchBrowser(o: {
  host: string;
  httpsPort: number;
  httpPort: number;
  caFile: string;
}): Promise<BrowserHandle> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: run bash test/e2e/signin/setup.sh`);
  const home = mkdtempSync(join(tmpdir(), 'signin-chromium-home-'));
  const nssdb = join(home, '.pki', 'nssdb');
  mkdirSync(nssdb, { recursive: true });
  execFileSync('certutil', ['-d', `sql:${nssdb}`, '-N', '--empty-password'], { stdio: 'pipe' });
  execFileSync(
    'certutil',
    ['-d', `sql:${nssdb}`, '-A', '-t', 'C,,', '-n', 'signin-e2e-test-ca', '-i', o.caFile],
    { stdio: 'pipe' },
  );
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    env: { ...process.env, HOME: home },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--host-resolver-rules=MAP ${o.host}:443 127.0.0.1:${o.httpsPort},MAP ${o.host}:80 127.0.0.1:${o.httpPort}`,
    ],
  });
  return {
    browser,
    async close() {
      await browser.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
