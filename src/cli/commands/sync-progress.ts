import cliProgress from 'cli-progress';

import type { SyncProgress } from '../../sync/run.ts';

export interface ProgressView {
  update(progress: SyncProgress): void;
  stop(): void;
}

/**
 * Shows a run's progress on standard error: a progress bar on a terminal, plain lines otherwise
 * (one per phase or collection, and at most one every five seconds while records arrive).
 */
export function createProgressView(stream: NodeJS.WriteStream = process.stderr): ProgressView {
  return stream.isTTY ? barView(stream) : lineView(stream);
}

function describe(progress: SyncProgress): string {
  if (progress.phase === 'fetching' && progress.collection) {
    return `fetching ${progress.collection}: ${progress.received ?? 0} records`;
  }
  if (progress.phase === 'applying' && progress.total) {
    return `applying: ${progress.done ?? 0} of ${progress.total} statements`;
  }
  return progress.phase;
}

/** Phases in order, so the bar can move forward through them. */
const phases = ['starting', 'fetching', 'mapping', 'planning', 'applying', 'done'];

function barView(stream: NodeJS.WriteStream): ProgressView {
  const bar = new cliProgress.SingleBar(
    { stream, format: 'sync [{bar}] {percentage}% | {step}', hideCursor: true, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  bar.start(100, 0, { step: 'starting' });
  return {
    update(progress) {
      const index = Math.max(0, phases.indexOf(progress.phase));
      let value = (index / (phases.length - 1)) * 100;
      if (progress.phase === 'applying' && progress.total) {
        value += ((progress.done ?? 0) / progress.total) * (100 / (phases.length - 1));
      }
      bar.update(Math.min(100, Math.round(value)), { step: describe(progress) });
    },
    stop() {
      bar.stop();
    },
  };
}

function lineView(stream: NodeJS.WriteStream): ProgressView {
  let lastKey = '';
  let lastAt = 0;
  return {
    update(progress) {
      const key = `${progress.phase}:${progress.collection ?? ''}`;
      const now = Date.now();
      if (key === lastKey && now - lastAt < 5000) return;
      lastKey = key;
      lastAt = now;
      stream.write(`sync: ${describe(progress)}\n`);
    },
    stop() {},
  };
}
