/**
 * Which tab of a browser keeps the warm line: one per browser and user, not one per tab, because
 * every warm line holds a TURN allocation. Chosen with a Web Lock: the holder is the leader, the
 * other tabs wait in the lock's queue, so a tab that closes (or crashes) hands over by itself.
 * The tab the user looks at takes the line (it steals the lock), since that is where a call is
 * placed next; the tab it took it from waits in the queue again.
 */

/** The part of the Web Locks API used here (`navigator.locks`). */
export interface LockManagerLike {
  request(name: string, options: { steal?: boolean; signal?: AbortSignal }, callback: (lock: unknown) => Promise<void>): Promise<unknown>;
}

export interface WarmLineLeadership {
  /**
   * Starts taking part: `onChange(true)` once this tab keeps the line, `onChange(false)` when
   * another tab took it. The returned function leaves (and hands the line over if it had it).
   */
  follow(onChange: (leader: boolean) => void): () => void;
  /** This tab keeps the line from now on (the user is looking at it). */
  claim(): void;
}

export function lockLeadership({ locks, name }: { locks: LockManagerLike; name: string }): WarmLineLeadership {
  let onChange: ((leader: boolean) => void) | null = null;
  let leader = false;
  let release: (() => void) | null = null;
  let waiting: AbortController | null = null;
  /** Each request's outcome is ignored once a newer one was made (e.g. a queued one we aborted to steal). */
  let attempt = 0;

  const set = (next: boolean) => {
    if (leader === next) return;
    leader = next;
    onChange?.(next);
  };

  const request = (steal: boolean) => {
    const mine = ++attempt;
    waiting?.abort();
    waiting = steal ? null : new AbortController();
    const options = steal ? { steal: true } : { signal: waiting!.signal };
    locks
      .request(
        name,
        options,
        () =>
          new Promise<void>((resolve) => {
            if (!onChange || mine !== attempt) return resolve();
            release = resolve;
            waiting = null;
            set(true);
          }),
      )
      .catch(() => {
        // Stolen by another tab (AbortError), or our own queued request aborted: the latter is stale.
        if (!onChange || mine !== attempt) return;
        release = null;
        set(false);
        request(false);
      });
  };

  return {
    follow(listener) {
      if (onChange) throw new Error('lockLeadership: follow() is already in use; leave first.');
      onChange = listener;
      request(false);
      return () => {
        onChange = null;
        attempt++;
        waiting?.abort();
        waiting = null;
        release?.();
        release = null;
        leader = false;
      };
    },
    claim() {
      if (onChange && !leader) request(true);
    },
  };
}

export interface BrowserLeadershipOptions {
  /** The signed-in user: two users signed in to two tabs each keep their own line. */
  uid: string;
  /** Default `navigator.locks`; given as undefined, none. */
  locks?: LockManagerLike;
  /** For `visibilitychange`, the tab that becomes visible claims the line. Default the page's; given as undefined, none. */
  document?: Pick<Document, 'visibilityState' | 'addEventListener' | 'removeEventListener'>;
}

/**
 * The browser's Web Locks with a claim whenever this tab becomes visible; null where there are
 * no Web Locks or no document (Node, old browsers): every tab then keeps its own line, as before.
 */
export function browserWarmLineLeadership(options: BrowserLeadershipOptions): WarmLineLeadership | null {
  const { uid } = options;
  const locks = 'locks' in options ? options.locks : (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
  const document = 'document' in options ? options.document : (globalThis as { document?: BrowserLeadershipOptions['document'] }).document;
  if (!locks || !document) return null;
  const inner = lockLeadership({ locks, name: `firecall-warm-line:${uid}` });
  return {
    follow(onChange) {
      const stop = inner.follow(onChange);
      const onVisibility = () => document.visibilityState === 'visible' && inner.claim();
      document.addEventListener('visibilitychange', onVisibility);
      onVisibility();
      return () => {
        document.removeEventListener('visibilitychange', onVisibility);
        stop();
      };
    },
    claim: () => inner.claim(),
  };
}
