/** RFC 9773 section 7.4: the certificate named in `replaces` already has a replacement order. */
export const ALREADY_REPLACED = 'urn:ietf:params:acme:error:alreadyReplaced';

/**
 * Whether an order was refused because the certificate it `replaces` was already replaced. acme-client throws a
 * bare Error carrying only the problem's `detail`, so the detail's wording counts too (Boulder: "... which already
 * has a replacement order").
 */
export function isAlreadyReplaced(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const problem = error as { type?: unknown; message?: unknown; detail?: unknown };
  if (problem.type === ALREADY_REPLACED) return true;
  const text = `${String(problem.message ?? '')} ${String(problem.detail ?? '')}`;
  return /alreadyReplaced|already (been )?replaced|already has a replacement/i.test(text);
}

/**
 * Places a renewal order that names the certificate it replaces, so the CA counts it as a renewal (and exempts
 * it from some limits). When the CA answers that the certificate was already replaced (an earlier attempt whose
 * result we lost, say) the order is placed once more without `replaces`: the renewal goes on instead of failing
 * the same way on every retry.
 */
export async function createReplacementOrder<T>(
  createOrder: (extra: { replaces?: string }) => Promise<T>,
  replaces: string | null,
): Promise<{ order: T; replaced: boolean }> {
  if (!replaces) return { order: await createOrder({}), replaced: false };
  try {
    return { order: await createOrder({ replaces }), replaced: true };
  } catch (error) {
    if (!isAlreadyReplaced(error)) throw error;
    return { order: await createOrder({}), replaced: false };
  }
}
