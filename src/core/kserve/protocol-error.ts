/**
 * An error in an Open Inference Protocol (KServe v2) message. `status` is the
 * HTTP status a server answers with, so the codec's checks double as the
 * server's input validation and a client gets the same words either way.
 */
export class ProtocolError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}
