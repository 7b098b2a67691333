/**
 * <VideoCall/> and <VoiceCall/> in a React 19 app on a scripted engine; the browser
 * test reads what the callbacks and refs saw through `window.reactFixture`.
 */
import { createElement, useRef, useState, type ReactElement } from 'react';
import { createRoot } from 'react-dom/client';
import type { CallSnapshot } from '../../call/types';
import { setCallClient } from '../../elements/client';
import { FakeCallClient } from '../../elements/testing/fake-client';
import { VideoCall, VoiceCall, type CallHandle } from '../index';

const client = new FakeCallClient('ben');
setCallClient(client);
const seen: string[] = [];
const refs: { video: CallHandle | null; voice: CallHandle | null } = { video: null, voice: null };

function App(): ReactElement {
  const video = useRef<CallHandle>(null);
  const voice = useRef<CallHandle>(null);
  const [label, setLabel] = useState('Ticket T-1042');
  refs.video = video.current;
  refs.voice = voice.current;
  (window as unknown as { relabel: (l: string) => void }).relabel = setLabel;
  return createElement(
    'div',
    null,
    createElement(VideoCall, {
      ref: (handle: CallHandle | null) => {
        refs.video = handle;
      },
      id: 'video',
      callee: 'ana',
      calleeName: 'Ana',
      record: { recordType: 'ticket', recordId: 'T-1042', label },
      messages: { hangUp: 'End call' },
      onStateChange: (d) => seen.push(`video state ${d.state}`),
      onEnded: (d) => seen.push(`video ended ${d.reason}: ${d.message}`),
    }),
    createElement(VoiceCall, {
      ref: (handle: CallHandle | null) => {
        refs.voice = handle;
      },
      id: 'voice',
      callee: 'ana',
      calleeName: 'Ana',
      onStateChange: (d) => seen.push(`voice state ${d.state}`),
      onError: (d) => seen.push(`voice error ${d.reason}`),
    }),
  );
}

createRoot(document.getElementById('root')!).render(createElement(App));

(window as unknown as { reactFixture: unknown }).reactFixture = {
  client,
  seen,
  refs,
  push(partial: Partial<CallSnapshot>) {
    client.last?.push(partial);
  },
  signOut() {
    setCallClient(null);
  },
};
