import { DiscoveryService } from '@nestjs/core';
import type { EntityManager } from 'typeorm';

/**
 * The counters of `GET /stats`. Each one is owned by exactly one contributor (the lib that owns the
 * table); a counter that no registered contributor provides reads 0 — that is how datasets, sandbox
 * runs and submissions answer until their libs exist and register theirs.
 */
export interface StatsCounters {
  /** published batches (第N期需求清单) */
  batches: number;
  /** scenarios in `published` or a later state (not draft, submitted or withdrawn) */
  scenarios: number;
  /** the same scenarios per domain code (every code of the vocabulary present, 0 if none) */
  scenariosByDomain: Record<string, number>;
  /** the same scenarios per tech field code */
  scenariosByTechField: Record<string, number>;
  /** organizations of type `enterprise` */
  enterprises: number;
  /** distinct organizations with at least one `selected` application (the lead of a consortium) */
  awardees: number;
  /** applications in state `selected` (a parallel award counts each awardee) */
  selectedApplications: number;
  datasets: number;
  /** Σ rowCount of the latest version of every dataset */
  datasetRows: number;
  sandboxRuns: number;
  submissions: number;
}
export type StatsCounterKey = keyof StatsCounters;

/** Counters read 0 (or an empty map) until someone provides them. */
export const EMPTY_COUNTERS: Readonly<StatsCounters> = Object.freeze({
  batches: 0,
  scenarios: 0,
  scenariosByDomain: {},
  scenariosByTechField: {},
  enterprises: 0,
  awardees: 0,
  selectedApplications: 0,
  datasets: 0,
  datasetRows: 0,
  sandboxRuns: 0,
  submissions: 0,
});

/**
 * Implemented by a provider of the lib that owns the counted table, and marked with
 * `@StatsContributorProvider()`; `StatsService` discovers every marked provider of the app at start-up.
 * `contribute` runs a few aggregate queries (GROUP BY / count on indexed columns) and returns the
 * counters it declared in `provides` — no more.
 */
export interface StatsContributor {
  readonly provides: readonly StatsCounterKey[];
  contribute(manager: EntityManager): Promise<Partial<StatsCounters>>;
}

/**
 * Marks a provider as a `StatsContributor`. Only metadata: a lib can use it without importing
 * `StatsModule`, so the worker (which has no /stats) composes the same libs without it.
 */
export const StatsContributorProvider = DiscoveryService.createDecorator<void>();

export class StatsContributorConflictError extends Error {
  constructor(detail: string) {
    super(`stats contributors: ${detail}`);
    this.name = 'StatsContributorConflictError';
  }
}
