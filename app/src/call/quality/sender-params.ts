/**
 * Applies encoding wishes to one RTCRtpSender, one setParameters at a time.
 *
 * setParameters must be given the object from the latest getParameters (its
 * transactionId), so two calls in flight reject each other. This applier keeps
 * at most one call running and remembers only the newest wish while it runs:
 * a burst of changes ends in the last one, never in an error.
 */
import { QualityError } from './errors';

/** The part of RTCRtpSender the controller uses (a fake in unit tests). */
export interface SenderLike {
  readonly track: { getSettings?(): { width?: number; height?: number }; contentHint?: string } | null;
  getParameters(): RTCRtpSendParameters;
  setParameters(parameters: RTCRtpSendParameters): Promise<void>;
}

export interface ParametersWish {
  /** Applied to every encoding of the sender. */
  encoding: Pick<RTCRtpEncodingParameters, 'active' | 'maxBitrate' | 'maxFramerate' | 'scaleResolutionDownBy' | 'priority'>;
  degradationPreference?: RTCDegradationPreference;
}

export interface ParametersApplier {
  /**
   * Ask for these parameters. Resolves true once they (or a newer wish) are in
   * place, false if the sender has no encodings yet (not negotiated) or the
   * browser refused; a refusal is also reported through onError.
   */
  apply(wish: ParametersWish): Promise<boolean>;
}

type EncodingField = keyof ParametersWish['encoding'];

function changes(parameters: RTCRtpSendParameters, wish: ParametersWish): boolean {
  let changed = false;
  for (const encoding of parameters.encodings) {
    for (const [field, value] of Object.entries(wish.encoding) as [EncodingField, unknown][]) {
      if (value === undefined || encoding[field] === value) continue;
      (encoding as Record<EncodingField, unknown>)[field] = value;
      changed = true;
    }
  }
  if (wish.degradationPreference !== undefined && parameters.degradationPreference !== wish.degradationPreference) {
    parameters.degradationPreference = wish.degradationPreference;
    changed = true;
  }
  return changed;
}

export function createParametersApplier(sender: SenderLike, onError: (error: QualityError) => void): ParametersApplier {
  let pending: ParametersWish | null = null;
  let running: Promise<boolean> | null = null;

  async function trySet(wish: ParametersWish): Promise<'done' | 'not-negotiated' | unknown> {
    try {
      const parameters = sender.getParameters();
      if (!parameters.encodings || parameters.encodings.length === 0) return 'not-negotiated';
      if (changes(parameters, wish)) await sender.setParameters(parameters);
      return 'done';
    } catch (cause) {
      return cause ?? new Error('setParameters failed');
    }
  }

  async function setOnce(wish: ParametersWish): Promise<boolean> {
    let outcome = await trySet(wish);
    if (outcome !== 'done' && outcome !== 'not-negotiated' && wish.degradationPreference !== undefined) {
      // Some browsers refuse degradationPreference and with it the whole call. Not
      // remembered: a refusal can be a passing one (a renegotiation), and a rung
      // change is rare enough to try the full wish every time.
      outcome = await trySet({ encoding: wish.encoding });
    }
    if (outcome === 'done') return true;
    if (outcome === 'not-negotiated') return false;
    onError(new QualityError('parameters-rejected', { cause: outcome }));
    return false;
  }

  async function drain(): Promise<boolean> {
    let ok = false;
    while (pending) {
      const wish = pending;
      pending = null;
      ok = await setOnce(wish);
    }
    running = null;
    return ok;
  }

  return {
    apply(wish) {
      pending = wish;
      running ??= drain();
      return running;
    },
  };
}
