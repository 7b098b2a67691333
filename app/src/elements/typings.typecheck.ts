/**
 * Compile-time checks of the public typings (checked by `npm run typecheck`, never run):
 * what a host page writes must type-check, and misuse must not.
 */
import './index';

export function hostPageUsage(): void {
  const video = document.querySelector('video-call');
  if (!video) return;
  video.callee = 'ana';
  video.calleeName = 'Ana';
  video.call();
  void video.hangUp();
  const state: string | undefined = video.snapshot?.state;
  void state;
  video.addEventListener('firecall-ended', (event) => {
    const reason: string | null = event.detail.reason;
    const duration: number = event.detail.duration;
    void reason;
    void duration;
  });
  video.addEventListener('firecall-state', (event) => {
    // @ts-expect-error -- the state detail has no duration
    void event.detail.duration;
  });
  const incoming = document.querySelector('incoming-call');
  incoming!.names = { ana: 'Ana Weber' };
  void incoming!.accept();
  // @ts-expect-error -- <incoming-call> places no calls
  incoming!.call();
}
