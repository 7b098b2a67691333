// Debian's Chromium as every browser suite launches it (headless, as root, fake camera and
// microphone, no background traffic: this machine's network is closed).
export const chromiumPath = process.env.FIRECALL_CHROMIUM ?? '/usr/bin/chromium';

export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
];
