import type { Config } from '../config/config.ts';
import type { OperationContract } from '../contract/contract.ts';
import type { FaultScope } from '../faults/fault.ts';
import type { Store } from '../state/store.ts';
import type { Issuer } from '../tokens/issuer.ts';
import type { MailTokens } from '../tokens/mail-tokens.ts';
import type { SignIns } from '../tokens/sign-ins.ts';
import type { Mailer } from '../users/mailer.ts';
import type { Authenticate, Caller } from './authenticate.ts';
import type { Outcome, OutcomeBase } from './outcome.ts';
import type { OperationRequest } from './request.ts';
import type { Subject } from './subject.ts';

/**
 * How an operation reads its request body: `none` (never read as JSON), `json` (parsed when declared JSON, as
 * `application/json` or `application/*+json`), `json-untyped` (also parsed when it comes with no Content-Type: clients
 * of a JSON API often leave it out).
 */
export type BodyReading = 'none' | 'json' | 'json-untyped';

export type { Subject } from './subject.ts';

/** The shared parts every operation's decision is built from: one of each, built by the composition root. */
export type OperationContext = {
  readonly config: Config;
  readonly store: Store;
  /** The mock's time, epoch milliseconds. */
  readonly clock: () => number;
  readonly issuer: Issuer;
  readonly signIns: SignIns;
  /** Makes what the service would email (invitations, password-reset links) for the outbox. */
  readonly mailer: Mailer;
  /** Opens the tokens mailed links carry. */
  readonly mailTokens: MailTokens;
  /** The shared authentication step (bearer → the caller), which the scaffold runs for an operation whose spec requires a bearer. */
  readonly authenticate: Authenticate;
  /** The base path the Auth Service's operations are served under (`/auth/api/v1`). */
  readonly basePath: string;
};

/** What the scaffold hands an operation's own steps: the outcome base so far, the authenticated caller, and the subject. */
export type Known = {
  readonly base: OutcomeBase;
  /** The caller, authenticated (for an operation whose spec requires a bearer); undefined for a public operation. */
  readonly caller: (Caller & { readonly ok: true }) | undefined;
  readonly subject: Subject;
};

/** An operation's own steps, made once at start by its `create`. */
export type OperationSteps = {
  /** Who a request is about, for a public operation (a bearer-protected one is about its caller): its fault scopes and journal fields. */
  identify?(request: OperationRequest): Subject | Promise<Subject>;
  /** The operation's own decision, once the shared steps (fault, override, malformed, authentication) have let the request through. */
  decide(request: OperationRequest, known: Known): Outcome | Promise<Outcome>;
  /**
   * A success that a fault or an override forces (`Prefer: code=200`), built from state as a real success is (real
   * tokens of a real sign-in, records from the store), where the spec's example would not do. Absent: the example.
   */
  success?(request: OperationRequest, known: Omit<Known, 'caller'> & { readonly caller: Caller | undefined }, status: number): Outcome | Promise<Outcome>;
  /** What a token of a logged-out sign-in gets here, where that is not the shared 401 (`--idempotent-logout`). */
  revoked?(base: OutcomeBase): Outcome;
};

/**
 * One operation, as a value: its name (its `operationId` in the spec, where the mock finds its method and path), the
 * statuses its decision answers with (each must be documented), how its body is read, what a fault may scope it by,
 * and how its steps are made. The list in `index.ts` is the only place that names the operations; everything else
 * (routing, faults, the journal, the panel, the CLI, the banner) derives from it.
 */
export type Operation = {
  readonly name: string;
  readonly decides: readonly number[];
  readonly body: BodyReading;
  /**
   * The `message` of a 400 the shared steps answer (a malformed request, an override naming an undocumented status):
   * `example` (the default) keeps its example's, the service's one message for a bad request; `reason` says what was
   * wrong, for an operation whose 400 example states one particular cause (create's duplicate email).
   */
  readonly badRequestMessage?: 'example' | 'reason';
  /** What a fault on it may be scoped by, besides the test session: the scopes its requests carry. */
  readonly scopes: readonly FaultScope[];
  /** Makes the operation's steps from the shared parts and its contract; throws SpecError when the spec lacks what they need. */
  create(context: OperationContext, contract: OperationContract): OperationSteps;
};
