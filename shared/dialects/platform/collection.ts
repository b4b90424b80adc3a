export interface PageRequest {
  page: number;
  itemsPerPage: number;
  /** Whether itemsPerPage was given, so links repeat it only then. */
  itemsPerPageGiven: boolean;
}

/** The Hydra properties the paging variables stand for: the page's number, and how many members a page holds. */
const PAGING_PROPERTIES: Readonly<Record<string, string>> = { page: 'hydra:pageIndex', itemsPerPage: 'hydra:limit' };

/**
 * A Hydra collection at `base` with working first/last/previous/next links, as API Platform writes it. `filters`
 * are the filters the collection offers (in the search template) and the ones this request used (kept in the links).
 */
export function hydraCollection<T>(
  base: string,
  context: string,
  request: PageRequest,
  members: T[],
  totalItems: number,
  filters: { offered: readonly string[]; used: Readonly<Record<string, string>> } = { offered: [], used: {} },
) {
  const link = (page: number) =>
    `${base}?${new URLSearchParams({
      ...filters.used,
      ...(request.itemsPerPageGiven ? { itemsPerPage: String(request.itemsPerPage) } : {}),
      page: String(page),
    })}`;
  const variables = [...filters.offered, 'page', 'itemsPerPage'];
  const lastPage = request.itemsPerPage > 0 ? Math.max(1, Math.ceil(totalItems / request.itemsPerPage)) : 1;
  return {
    '@context': context,
    '@id': base,
    '@type': 'Collection',
    totalItems,
    member: members,
    view: {
      '@id': link(request.page),
      '@type': 'PartialCollectionView',
      first: link(1),
      last: link(lastPage),
      ...(request.page > 1 ? { previous: link(Math.min(request.page - 1, lastPage)) } : {}),
      ...(request.page < lastPage ? { next: link(request.page + 1) } : {}),
    },
    search: {
      '@type': 'IriTemplate',
      template: `${base}{?${variables.join(',')}}`,
      variableRepresentation: 'BasicRepresentation',
      mapping: variables.map((variable) => ({
        '@type': 'IriTemplateMapping',
        variable,
        // A filter maps to the member property of its name (a term of the collection's context).
        property: PAGING_PROPERTIES[variable] ?? variable,
        required: false,
      })),
    },
  };
}
