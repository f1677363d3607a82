/** An error that knows which pipeline step failed; stored with the record as `errorStage`. */
export type Stage = 'fetch' | 'decode' | 'model' | 'inference';

export class StageError extends Error {
  constructor(readonly stage: Stage, message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** The stage of any error: a StageError's own, else `fallback`. */
export function stageOf(e: unknown, fallback: string): string {
  return e instanceof StageError ? e.stage : fallback;
}
