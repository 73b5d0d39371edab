/**
 * What the HTTP layer hands an operation's decision: the parts of the request every operation depends on, read and
 * bounded there (no sockets here).
 */
export type OperationRequest = {
  readonly authorization: string | undefined;
  /** How many `Authorization` headers arrived (more than one is malformed, RFC 6750 §2.1). */
  readonly authorizationCount: number;
  readonly prefer: string | undefined;
  /** `?__code=` and `?__delay=`, for callers that cannot set headers. */
  readonly codeParam: string | null;
  readonly delayParam: string | null;
  /** The path's parameters by the names the spec gives them (`customerID`), percent-decoded. */
  readonly params: Readonly<Record<string, string>>;
  /** The query string's parameters (the mock's own `__code` and `__delay` among them); absent when the request had none. */
  readonly query: URLSearchParams | undefined;
  /** Why the request cannot be read (body over the limit, cut off, declared JSON but not parsing), found while reading it. */
  readonly malformed: string | undefined;
  /** True when the request carried a body (Content-Length > 0 or chunked). */
  readonly hasBody?: boolean;
  /** The body's media type, lower-cased, without parameters (`application/json`); undefined when none was given. */
  readonly contentType?: string;
  /** The body parsed as JSON, when the operation reads it as JSON (see its `body`); undefined otherwise. */
  readonly json?: unknown;
  /** Reads one cookie of the request (RFC 6265, quotes removed); undefined when absent. */
  readonly cookie?: (name: string) => string | undefined;
  /** The test session (`X-Mock-Session` header or `mock_session` cookie) that scopes faults and filters the journal. */
  readonly testSession: string | undefined;
  /** Set when a held (`hang`) request is released: answer as if no fault were armed. */
  readonly skipFaults?: boolean;
};
