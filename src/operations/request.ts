/**
 * What the app hands a contract operation's decision: the parts of the request every operation depends on,
 * read and bounded by the HTTP layer (no sockets here).
 */
export type OperationRequest = {
  readonly authorization: string | undefined;
  /** How many `Authorization` headers arrived (more than one is malformed). */
  readonly authorizationCount: number;
  readonly prefer: string | undefined;
  /** `?__code=` and `?__delay=`, for callers that cannot set headers. */
  readonly codeParam: string | null;
  readonly delayParam: string | null;
  /** Why the request is malformed (body over the limit, cut off, declared JSON but not parsing), found while reading it. */
  readonly malformed: string | undefined;
  /** True when the request carried a body (Content-Length > 0 or chunked). */
  readonly hasBody?: boolean;
  /** The body's media type, lower-cased, without parameters (`application/json`); undefined when none was given. */
  readonly contentType?: string;
  /** The body parsed as JSON, when it was JSON (see the app's reading rules); undefined otherwise. */
  readonly json?: unknown;
  /** Reads one cookie of the request (RFC 6265, quotes removed); undefined when absent. */
  readonly cookie?: (name: string) => string | undefined;
  /** The client session (`X-Mock-Session` header or `mock_session` cookie) that scopes faults. */
  readonly session: string | undefined;
  /** Set when a held (`hang`) request is released: answer as if no fault were armed. */
  readonly skipFaults?: boolean;
};
