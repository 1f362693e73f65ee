/**
 * The verification feedback of a simulated tenant, through the parts a real tenant runs: Auth0
 * logs every MFA send and every code used (gd_send_sms / gd_send_voice, gd_enrollment_complete /
 * gd_auth_succeed), and `npm run monitor --write-store` joins them every few minutes and writes
 * the proofs into the counter store the Actions read. Here the monitor's own join
 * (scripts/monitor/conversion.ts joinVerifications) and writer (scripts/monitor/write-store.ts
 * writeStore) run unchanged on the log facts of the OTPs the built Action delivered, every
 * MONITOR_EVERY_MS of simulated time, against the same store (a real Redis behind the Upstash shim).
 *
 * Only delivered OTPs are logged as sent, and only a delivered code can be used: a refused
 * person's code never arrives. Pumped numbers never verify.
 */
import { joinVerifications } from '../monitor/conversion';
import type { SendFact, VerificationFact } from '../monitor/conversion-events';
import { parseFullNumber } from '../monitor/phone';
import { writeStore } from '../monitor/write-store';
import type { CounterStore } from '../../shared/store/counter-store';
import { GuardKeys, tenantKeyPrefix } from '../../shared/store/keys';

const MINUTE = 60_000;
/** How often the monitor runs (a cron job or a log-stream consumer's batch). */
export const MONITOR_EVERY_MS = 5 * MINUTE;
/** Sends older than this are not joined any more (the monitor's number join looks back one hour). */
const SEND_MEMORY_MS = 2 * 60 * MINUTE;

export interface DeliveredOtp {
  at: number;
  channel: 'sms' | 'voice';
  recipient: string;
  userId: string;
  enrollment: boolean;
  /** When the person enters the code (undefined: never). */
  verifiedAt: number | undefined;
}

export interface FeedbackStats {
  runs: number;
  verifications: number;
  proofsRecorded: number;
  errors: number;
}

export class MonitorFeedback {
  private readonly keys: GuardKeys;
  private sends: SendFact[] = [];
  private waiting: VerificationFact[] = [];
  private nextRun: number | undefined;
  readonly stats: FeedbackStats = { runs: 0, verifications: 0, proofsRecorded: 0, errors: 0 };

  /** `challengesOpenNumbers`: the monitor runs with --unified-phone (the Custom Phone Provider Action's tenant). */
  constructor(private readonly store: CounterStore, keyPrefix: string, tenant: string, private readonly challengesOpenNumbers = false) {
    this.keys = new GuardKeys(tenantKeyPrefix(keyPrefix, tenant));
  }

  /** An OTP the Action delivered: logged as sent, and as verified later if its code is entered. */
  delivered(otp: DeliveredOtp): void {
    const number = parseFullNumber(otp.recipient);
    if (number === undefined) return;
    this.sends.push({ at: otp.at, flow: 'mfa', channel: otp.channel, userId: otp.userId, number });
    if (otp.verifiedAt !== undefined) {
      this.waiting.push({ at: otp.verifiedAt, flow: 'mfa', type: otp.enrollment ? 'gd_enrollment_complete' : 'gd_auth_succeed', userId: otp.userId, number, claim: 'phone' });
    }
  }

  /** Runs every monitor pass due up to `now` (each one sees the logs up to its own time). */
  async runUntil(now: number): Promise<void> {
    this.nextRun ??= Math.ceil(now / MONITOR_EVERY_MS) * MONITOR_EVERY_MS;
    while (this.nextRun <= now) {
      await this.runAt(this.nextRun);
      this.nextRun += MONITOR_EVERY_MS;
    }
  }

  private async runAt(at: number): Promise<void> {
    this.stats.runs += 1;
    const due = this.waiting.filter((verification) => verification.at <= at);
    if (due.length === 0) return;
    this.waiting = this.waiting.filter((verification) => verification.at > at);
    this.sends = this.sends.filter((send) => at - send.at <= SEND_MEMORY_MS);
    const joined = joinVerifications(this.sends, due, { challengesOpenNumbers: this.challengesOpenNumbers });
    this.stats.verifications += due.length;
    const written = await writeStore(joined.proofs, [], { store: this.store, keys: this.keys, apply: true, now: at, blockMs: 0 });
    for (const proof of written.proofs) {
      if (proof.result === 'proof-recorded') this.stats.proofsRecorded += 1;
      else if (proof.result === 'error') this.stats.errors += 1;
    }
  }
}
