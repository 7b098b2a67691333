/**
 * One headless Debian Firefox ESR in a network namespace, driven by puppeteer-core over
 * WebDriver BiDi. Firefox listens for BiDi on the namespace's own loopback, which the
 * harness cannot reach, so a small bridge inside the namespace carries the messages over
 * its stdin/stdout. Fresh profile per launch, fake camera and microphone, no prompts.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser, type ConnectionTransport } from 'puppeteer-core';
import { LabError, signalPid, withTimeout, type ProcessGroup } from './processes';

export const firefoxPath = process.env.FIRECALL_FIREFOX ?? '/usr/bin/firefox-esr';

const BRIDGE = fileURLToPath(new URL('./bidi-bridge.mjs', import.meta.url));

const PREFS: Record<string, string | number | boolean> = {
  // A fake camera and microphone, granted without a prompt (Chromium's fake-device flags).
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  'media.autoplay.default': 0,
  'media.autoplay.block-webaudio': false,
  // Real host addresses in candidates, as Chromium gives them once the camera is granted.
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  // What puppeteer's own Firefox profile sets for BiDi, and no background traffic or first-run pages.
  'fission.webContentIsolationStrategy': 0,
  'browser.shell.checkDefaultBrowser': false,
  'browser.startup.page': 0,
  'browser.startup.homepage': 'about:blank',
  'browser.startup.homepage_override.mstone': 'ignore',
  'startup.homepage_welcome_url': 'about:blank',
  'app.update.disabledForTesting': true,
  'app.normandy.api_url': '',
  'datareporting.policy.dataSubmissionEnabled': false,
  'datareporting.healthreport.uploadEnabled': false,
  'toolkit.telemetry.reportingpolicy.firstRun': false,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'extensions.update.enabled': false,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'services.settings.server': 'data:,#remote-settings-dummy/v1',
  'toolkit.startup.max_resumed_crashes': -1,
  'dom.max_script_run_time': 0,
  'hangmonitor.timeout': 0,
};

export interface LaunchedFirefox {
  browser: Browser;
  /** Closes the browser politely, then kills what is left of it by pid. */
  close(): Promise<void>;
}

/** Starts Firefox inside `ns` (its processes owned by `processes`) and connects puppeteer to it. */
export async function launchFirefox(ns: string, processes: ProcessGroup): Promise<LaunchedFirefox> {
  const profile = mkdtempSync(join(tmpdir(), `${ns}-firefox-`));
  writeFileSync(
    join(profile, 'user.js'),
    Object.entries(PREFS)
      .map(([k, v]) => `user_pref(${JSON.stringify(k)}, ${JSON.stringify(v)});\n`)
      .join(''),
  );
  const firefox = await processes
    .start(
      `firefox in ${ns}`,
      'ip',
      ['netns', 'exec', ns, firefoxPath, '--headless', '--no-remote', '--profile', profile, '--remote-debugging-port=0'],
      { readyWhen: /WebDriver BiDi listening on ws:\/\//, readyTimeoutMs: 30_000, env: { ...process.env, MOZ_HEADLESS: '1' } },
    )
    .catch((error: unknown) => {
      rmSync(profile, { recursive: true, force: true });
      throw error;
    });
  const endpoint = /WebDriver BiDi listening on (ws:\/\/\S+)/.exec(firefox.output())![1]!;
  const bridge = spawn('ip', ['netns', 'exec', ns, process.execPath, BRIDGE, `${endpoint}/session`], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const kill = () => {
    if (bridge.pid !== undefined) signalPid(bridge.pid, 'SIGKILL');
    signalPid(firefox.pid, 'SIGKILL');
    rmSync(profile, { recursive: true, force: true });
  };
  const transport: ConnectionTransport = {
    send: (message) => void bridge.stdin.write(`${JSON.stringify(message)}\n`),
    close: () => void bridge.stdin.end(),
  };
  createInterface({ input: bridge.stdout }).on('line', (line) => transport.onmessage?.(JSON.parse(line) as string));
  bridge.on('exit', () => transport.onclose?.());
  try {
    const browser = await withTimeout(
      puppeteer.connect({ transport, protocol: 'webDriverBiDi', defaultViewport: null }),
      30_000,
      `connecting to Firefox in ${ns}`,
    );
    const close = async () => {
      await withTimeout(browser.close(), 5_000, 'closing Firefox').catch(() => undefined);
      kill();
    };
    return { browser, close };
  } catch (error) {
    kill();
    throw new LabError(`Firefox in ${ns} did not take a WebDriver BiDi session: ${(error as Error).message}\n${firefox.output()}`);
  }
}
