import type { ApiToken, Organization } from '../domain/organization.ts';

export interface IdentityRepository {
  createOrganization(name: string, createdAt: string): Promise<Organization>;
  getOrganization(id: number): Promise<Organization | null>;
  putToken(token: ApiToken): Promise<void>;
  findTokenByHash(tokenHash: string): Promise<ApiToken | null>;
  /** Records a one-off marker; false when it was recorded before. Used to make bootstrap run once. */
  claimMarker(name: string, value: Record<string, string | number>): Promise<boolean>;
  getMarker(name: string): Promise<Record<string, string | number> | null>;
}
