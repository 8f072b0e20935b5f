// A circuit breaker per registry connector (issue 17 item 2). After `failures`
// failed lookups in a row the circuit opens: lookups fail at once, without a
// call, for `openMs`; then it is half-open: one trial call passes (the others
// still fail at once), and its success closes the circuit, its failure opens
// it again for `openMs`. Time comes from the node's clock (a test moves it).
// In memory, per process: each process of a node learns on its own that a
// registry is down, which costs at most `failures` calls per process.
// No maintained breaker library is installed; this is the whole of it.
import type { Clock } from '../../ports/clock.js';

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerSettings {
  /** Failures in a row that open the circuit. */
  readonly failures: number;
  /** How long an open circuit refuses calls before a trial. */
  readonly openMs: number;
}

export class CircuitBreaker {
  private failed = 0;
  private openedAt: number | null = null;
  private trial = false;

  constructor(
    private readonly settings: BreakerSettings,
    private readonly clock: Clock,
  ) {}

  state(): BreakerState {
    if (this.openedAt === null) return 'closed';
    return this.clock.now().getTime() - this.openedAt >= this.settings.openMs ? 'half_open' : 'open';
  }

  /** May a call be made now? In the half-open state only one (the trial) until it reports. */
  tryPass(): boolean {
    const s = this.state();
    if (s === 'closed') return true;
    if (s === 'open' || this.trial) return false;
    this.trial = true;
    return true;
  }

  success(): void {
    this.failed = 0;
    this.openedAt = null;
    this.trial = false;
  }

  failure(): void {
    this.trial = false;
    this.failed += 1;
    if (this.openedAt !== null || this.failed >= this.settings.failures) this.openedAt = this.clock.now().getTime();
  }

  /** A call that ended neither way (the registry refused the node's credentials, the node stopped): the trial slot is freed. */
  release(): void {
    this.trial = false;
  }
}
