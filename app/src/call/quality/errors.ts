/** Why the quality controller could not do its job; the call itself goes on. */
export type QualityErrorReason = 'stats-unavailable' | 'parameters-rejected';

const MESSAGES: Record<QualityErrorReason, string> = {
  'stats-unavailable':
    'Call quality cannot be measured right now; the call continues, but video will not adapt to the network until statistics return.',
  'parameters-rejected':
    'The browser refused a video quality change; the call continues at the previous quality. Updating the browser usually fixes this.',
};

export class QualityError extends Error {
  override readonly name = 'QualityError';
  constructor(
    readonly reason: QualityErrorReason,
    options?: { cause?: unknown },
  ) {
    super(MESSAGES[reason], options);
  }
}
