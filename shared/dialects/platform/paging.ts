import { CertwrightError } from '../../domain/errors.ts';
import type { PageRequest } from './collection.ts';

/** A positive integer query parameter, with its default and bounds; anything else is a 400. */
export function integerParameter(query: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const raw = query.get(name);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new CertwrightError('bad_request', `${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** `page` (from 1) and `itemsPerPage` (default 30, 0 to 100), as every platform collection takes them. */
export const pageRequest = (query: URLSearchParams): PageRequest => ({
  page: integerParameter(query, 'page', 1, 1, 1_000_000),
  itemsPerPage: integerParameter(query, 'itemsPerPage', 30, 0, 100),
  itemsPerPageGiven: query.has('itemsPerPage'),
});

/** A merge patch body must be a JSON object. */
export function mergePatchObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new CertwrightError('bad_request', 'A merge patch must be a JSON object');
  }
  return body as Record<string, unknown>;
}

export const JSON_LD = { 'content-type': 'application/ld+json; charset=utf-8' };
export const JSON_TYPES = ['application/json', 'application/ld+json'];
export const MERGE_PATCH = ['application/merge-patch+json'];
