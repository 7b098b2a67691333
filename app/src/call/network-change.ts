/**
 * A new network, told apart from a new speed estimate. NetworkInformation fires `change` when
 * its bandwidth or RTT estimate moves as well as when the device changes networks; an ICE
 * restart on each estimate would throw away a working path (and the quality controller's
 * warm-up) for nothing. So only a change of `type` (wifi, cellular, ...) counts; where the
 * browser does not expose `type`, the media watchdog notices a dead path on its own.
 */

/** The part of NetworkInformation this needs. */
export interface ConnectionLike {
  readonly type?: string;
  addEventListener(type: 'change', listener: () => void): void;
  removeEventListener(type: 'change', listener: () => void): void;
}

/** Calls `listener` when the connection's type changes; returns the unsubscribe. */
export function onNetworkTypeChange(connection: ConnectionLike, listener: () => void): () => void {
  let last = connection.type;
  const check = () => {
    const now = connection.type;
    if (now === undefined || now === last) return;
    last = now;
    listener();
  };
  connection.addEventListener('change', check);
  return () => connection.removeEventListener('change', check);
}
