import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
} from '@aws-sdk/client-secrets-manager';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CertwrightError } from '../../domain/errors.ts';
import type { SecretStore } from '../../ports/secret-store.ts';

export interface SecretsManagerOptions {
  kmsKeyId?: string | undefined;
  /** Days a deleted secret can still be restored (Secrets Manager allows 7 to 30). */
  recoveryWindowInDays: number;
}

const failure = (error: unknown): CertwrightError =>
  new CertwrightError('dependency_unavailable', 'The secret store did not answer', {
    cause: error,
    retryable: error instanceof Error && /Throttl|InternalServiceError/.test(error.name),
  });

export class SecretsManagerSecretStore implements SecretStore {
  constructor(
    private readonly client: SecretsManagerClient,
    private readonly options: SecretsManagerOptions,
  ) {}

  async put(name: string, value: string): Promise<void> {
    try {
      await this.client.send(new CreateSecretCommand({ Name: name, SecretString: value, KmsKeyId: this.options.kmsKeyId }));
    } catch (error) {
      if (!(error instanceof ResourceExistsException)) throw failure(error);
      try {
        await this.client.send(new PutSecretValueCommand({ SecretId: name, SecretString: value }));
      } catch (putError) {
        throw failure(putError);
      }
    }
  }

  async create(name: string, value: string): Promise<boolean> {
    try {
      await this.client.send(new CreateSecretCommand({ Name: name, SecretString: value, KmsKeyId: this.options.kmsKeyId }));
      return true;
    } catch (error) {
      if (error instanceof ResourceExistsException) return false;
      throw failure(error);
    }
  }

  async get(name: string): Promise<string | null> {
    try {
      const { SecretString } = await this.client.send(new GetSecretValueCommand({ SecretId: name }));
      return SecretString ?? null;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return null;
      throw failure(error);
    }
  }

  async delete(name: string, options: { withoutRecovery?: boolean } = {}): Promise<void> {
    const window = options.withoutRecovery
      ? { ForceDeleteWithoutRecovery: true }
      : { RecoveryWindowInDays: this.options.recoveryWindowInDays };
    try {
      await this.client.send(new DeleteSecretCommand({ SecretId: name, ...window }));
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return;
      throw failure(error);
    }
  }
}
