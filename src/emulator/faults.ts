import { SeededRandom } from './generate/random.ts';

/**
 * Faults the emulator injects into OneRoster data responses, parsed from a spec such as
 * `500=0.1,429=0.05,retry-after=2,short=0.1,seed=7`. Each `name=P` entry is a probability
 * from 0 to 1 per request:
 *
 * | name | effect |
 * |---|---|
 * | `500`, `502`, `503` | that status with an `imsx` body |
 * | `429` | 429 with `Retry-After` (`retry-after=S`, default 1 second) |
 * | `reset` | the connection is destroyed before any response |
 * | `short` | the page carries only its first half of records, headers unchanged |
 * | `badjson` | the body is cut off mid-JSON |
 * | `noenvelope` | the records come under `data` instead of the envelope key |
 * | `nototal` | no `X-Total-Count` header |
 * | `lietotal` | an `X-Total-Count` larger than the truth |
 *
 * Other entries: `latency=MS` or `latency=MIN-MAX` (added delay on every OneRoster request),
 * `seed=S` (same seed and same request order, same faults), `only=users+enrollments` (limit
 * faults to those resources, by the last path segment), `count=N` (stop after N faults).
 */
export interface FaultSpec {
  seed: string;
  latencyMs: [number, number];
  statusRates: Array<{ status: 500 | 502 | 503 | 429; rate: number }>;
  reset: number;
  short: number;
  badJson: number;
  noEnvelope: number;
  noTotal: number;
  lieTotal: number;
  retryAfterSeconds: number;
  only: Set<string> | null;
  count: number | null;
}

/** A fault spec that the emulator cannot read; the message names the entry. */
export class FaultSpecError extends Error {
  override name = 'FaultSpecError';
}

export function emptyFaultSpec(): FaultSpec {
  return {
    seed: '0',
    latencyMs: [0, 0],
    statusRates: [],
    reset: 0,
    short: 0,
    badJson: 0,
    noEnvelope: 0,
    noTotal: 0,
    lieTotal: 0,
    retryAfterSeconds: 1,
    only: null,
    count: null,
  };
}

const rateNames = {
  reset: 'reset',
  short: 'short',
  badjson: 'badJson',
  noenvelope: 'noEnvelope',
  nototal: 'noTotal',
  lietotal: 'lieTotal',
} as const;

/** Parses a fault spec (see `FaultSpec`). An empty string means no faults. Throws `FaultSpecError`. */
export function parseFaultSpec(text: string): FaultSpec {
  const spec = emptyFaultSpec();
  for (const entry of text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')) {
    const [name = '', value = ''] = entry.split('=', 2).map((part) => part.trim());
    const key = name.toLowerCase();
    if (key === 'seed') spec.seed = value;
    else if (key === 'latency') spec.latencyMs = parseLatency(entry, value);
    else if (key === 'retry-after') spec.retryAfterSeconds = parseNumber(entry, value, 0, 86_400);
    else if (key === 'count') spec.count = Math.floor(parseNumber(entry, value, 0, Number.MAX_SAFE_INTEGER));
    else if (key === 'only')
      spec.only = new Set(
        value
          .split('+')
          .map((part) => part.trim())
          .filter(Boolean),
      );
    else if (key === '500' || key === '502' || key === '503' || key === '429') {
      spec.statusRates.push({
        status: Number(key) as 500 | 502 | 503 | 429,
        rate: parseNumber(entry, value, 0, 1),
      });
    } else if (key in rateNames)
      spec[rateNames[key as keyof typeof rateNames]] = parseNumber(entry, value, 0, 1);
    else
      throw new FaultSpecError(
        `The fault ${JSON.stringify(entry)} is unknown; see docs/emulator.md for the fault names.`,
      );
  }
  return spec;
}

function parseNumber(entry: string, value: string, min: number, max: number): number {
  const number = Number(value);
  if (value === '' || !Number.isFinite(number) || number < min || number > max) {
    throw new FaultSpecError(`The fault ${JSON.stringify(entry)} needs a number from ${min} to ${max}.`);
  }
  return number;
}

function parseLatency(entry: string, value: string): [number, number] {
  const [low = '', high] = value.split('-');
  const min = parseNumber(entry, low, 0, 600_000);
  const max = high === undefined ? min : parseNumber(entry, high, min, 600_000);
  return [min, max];
}

/** The faults applied to one response. */
export interface FaultDecision {
  latencyMs: number;
  /** Replace the response by this status, or destroy the connection. */
  replace: 500 | 502 | 503 | 429 | 'reset' | null;
  short: boolean;
  badJson: boolean;
  noEnvelope: boolean;
  noTotal: boolean;
  lieTotal: boolean;
}

/**
 * Draws fault decisions request by request. Draws happen in a fixed order whatever the outcome,
 * so a given seed and request order always give the same faults.
 */
export class FaultInjector {
  private random: SeededRandom;
  private injected = 0;

  constructor(readonly spec: FaultSpec) {
    this.random = new SeededRandom(spec.seed);
  }

  /** Faults injected so far (a request with several faults counts once). */
  get injectedCount(): number {
    return this.injected;
  }

  decide(resource: string): FaultDecision {
    const { spec, random } = this;
    const [minLatency, maxLatency] = spec.latencyMs;
    const decision: FaultDecision = {
      latencyMs: minLatency === maxLatency ? minLatency : random.integer(minLatency, maxLatency),
      replace: null,
      short: false,
      badJson: false,
      noEnvelope: false,
      noTotal: false,
      lieTotal: false,
    };
    if (spec.only !== null && !spec.only.has(resource)) return decision;
    if (spec.count !== null && this.injected >= spec.count) return decision;

    const draws = {
      reset: random.next(),
      statuses: spec.statusRates.map(() => random.next()),
      short: random.next(),
      badJson: random.next(),
      noEnvelope: random.next(),
      noTotal: random.next(),
      lieTotal: random.next(),
    };
    if (draws.reset < spec.reset) decision.replace = 'reset';
    spec.statusRates.forEach(({ status, rate }, index) => {
      if (decision.replace === null && (draws.statuses[index] ?? 1) < rate) decision.replace = status;
    });
    decision.short = draws.short < spec.short;
    decision.badJson = draws.badJson < spec.badJson;
    decision.noEnvelope = draws.noEnvelope < spec.noEnvelope;
    decision.noTotal = draws.noTotal < spec.noTotal;
    decision.lieTotal = draws.lieTotal < spec.lieTotal;

    const any =
      decision.replace !== null ||
      decision.short ||
      decision.badJson ||
      decision.noEnvelope ||
      decision.noTotal ||
      decision.lieTotal;
    if (any) this.injected += 1;
    return decision;
  }
}
