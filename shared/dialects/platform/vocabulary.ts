import type { RouteDefinition } from '../../http/routes.ts';
import { ROUTES } from '../../http/routes.ts';

export const HYDRA = 'http://www.w3.org/ns/hydra/core#';
export const API_DOCUMENTATION_PATH = '/api/docs.jsonld';
export const ENTRYPOINT_PATH = '/api';
export const contextIri = (shortName: string): string => `/api/contexts/${shortName}`;

interface PropertyDescription {
  name: string;
  description: string;
  /** The value is an IRI (a link to another resource), not a literal. */
  link?: boolean;
  /** The value is an opaque JSON object (its keys are not terms): a JSON literal. */
  json?: boolean;
  /** XSD datatype or class the value belongs to (`#Certificate`, `xmls:string`...). */
  range?: string;
  writable?: boolean;
  required?: boolean;
}

interface ClassDescription {
  description: string;
  properties: PropertyDescription[];
  /** Paths of the routes whose replies are (collections of) this class; their operations are this class's. */
  paths?: readonly string[];
  /** The one of `paths` whose GET answers a collection of this class. */
  collectionPath?: string;
  /** Classes whose terms this class's context carries too, because their objects are embedded without a context of their own. */
  embeds?: readonly string[];
}

const str = 'xmls:string';
const int = 'xmls:integer';
const bool = 'xmls:boolean';
const dateTime = 'xmls:dateTime';
const certificates = '/api/organizations/{organizationId}/certificates';

/**
 * The platform dialect's vocabulary: every class its replies name in `@type`, with every property they carry. The
 * contexts at `/api/contexts/{class}` and the Hydra documentation at `/api/docs.jsonld` are both written from it,
 * as API Platform writes its own from the resource metadata, so a property cannot be in one and not the other.
 */
export const PLATFORM_CLASSES: Readonly<Record<string, ClassDescription>> = {
  Entrypoint: {
    description: 'Where the API starts: the IRI templates of the collections of an organization.',
    properties: [
      { name: 'certificates', description: 'The certificates of an organization.', range: 'hydra:IriTemplate' },
      { name: 'projects', description: 'The projects of an organization.', range: 'hydra:IriTemplate' },
      { name: 'hostnameMappings', description: 'The hostname mappings of an organization.', range: 'hydra:IriTemplate' },
    ],
    paths: [ENTRYPOINT_PATH],
  },
  Certificate: {
    description: 'A TLS certificate of an organization: custom (uploaded) or auto_managed (obtained and renewed through ACME).',
    properties: [
      { name: 'id', description: 'The identifier, the same in every dialect.', range: str },
      { name: 'name', description: 'The display name (the domain name unless set).', range: str, writable: true },
      { name: 'domainName', description: 'The first name the certificate covers.', range: str, writable: true },
      { name: 'type', description: 'auto_managed or custom.', range: str, writable: true },
      { name: 'status', description: 'pending, issuing, active, failed, revoked or expired.', range: str },
      { name: 'certificateData', description: 'The leaf certificate, PEM.', range: str, writable: true },
      { name: 'privateKeyData', description: 'The private key, PEM: only with ?include=privateKeyData and the certificates:export scope.', range: str, writable: true },
      { name: 'chainData', description: 'The intermediate certificates, PEM.', range: str, writable: true },
      { name: 'expiresAt', description: 'When the certificate expires (notAfter).', range: dateTime },
      { name: 'notBefore', description: 'When the certificate becomes valid.', range: dateTime },
      { name: 'issuer', description: "The issuer's organization (or common name).", range: str },
      { name: 'serialNumber', description: 'The serial number, hex.', range: str },
      { name: 'fingerprint', description: 'SHA-256 of the DER certificate, as sha256:3b:0a:...', range: str },
      { name: 'keyType', description: 'rsa, ec or ed25519.', range: str },
      { name: 'keySize', description: 'Key size in bits (RSA) or curve size (EC).', range: int },
      { name: 'autoRenew', description: 'Whether an auto_managed certificate is renewed before it expires.', range: bool, writable: true },
      { name: 'reusePrivateKey', description: 'Whether renewals keep the current key.', range: bool, writable: true },
      { name: 'renewalPausedReason', description: 'Why renewal stopped after repeated failures, or null.', range: str },
      { name: 'sans', description: 'The names the certificate covers, each with its DNS and TLS status.', range: '#CertificateSan' },
      { name: 'lastAttempt', description: 'The latest issuance, renewal, import or revocation run.', range: '#Attempt' },
      { name: 'createdAt', description: 'When the certificate was created.', range: dateTime },
      { name: 'updatedAt', description: 'When the certificate last changed.', range: dateTime },
      { name: 'organizationId', description: 'The organization the certificate belongs to.', range: int },
      { name: 'attemptCount', description: 'How many attempts the certificate has had.', range: int },
    ],
    collectionPath: certificates,
    paths: [certificates, `${certificates}/{id}`, `${certificates}/{id}/revoke`, `${certificates}/{id}/renew`],
  },
  CertificateSan: {
    description: 'One name a certificate covers (subjectAltName).',
    properties: [
      { name: 'id', description: 'The identifier of the name within its certificate.', range: str },
      { name: 'name', description: 'The DNS name.', range: str },
      { name: 'dnsStatus', description: 'pending, valid or invalid: whether the name was proven (ACME) or is in the certificate.', range: str },
      { name: 'sslStatus', description: 'pending, covered or not_covered.', range: str },
    ],
    paths: [`${certificates}/{id}/sans/{sanId}`],
  },
  Attempt: {
    description: 'One issuance, renewal, import or revocation run of a certificate.',
    properties: [
      { name: 'id', description: 'The identifier of the attempt (the workflow execution name for ACME runs).', range: str },
      { name: 'type', description: 'custom_import, acme_issue, acme_renew or acme_revoke.', range: str },
      { name: 'status', description: 'pending, running, succeeded or failed.', range: str },
      { name: 'startedAt', description: 'When the attempt started.', range: dateTime },
      { name: 'finishedAt', description: 'When the attempt ended, or null while it runs.', range: dateTime },
      { name: 'error', description: "Why the attempt failed (the CA's reason for ACME runs).", range: str },
    ],
    paths: [`${certificates}/{id}/attempts/{attemptId}`],
  },
  Project: {
    description: 'A project of an organization: one domain, at most one certificate.',
    properties: [
      { name: 'id', description: 'The identifier.', range: str },
      { name: 'name', description: 'The display name.', range: str, writable: true, required: true },
      { name: 'domain', description: 'The hostname the project serves, or null.', range: str, writable: true },
      { name: 'hostedZoneId', description: 'The Route 53 hosted zone for dns-01, or null.', range: str, writable: true },
      { name: 'certificate', description: "The IRI of the project's certificate, or null.", link: true, range: '#Certificate' },
      { name: 'createdAt', description: 'When the project was created.', range: dateTime },
      { name: 'updatedAt', description: 'When the project last changed.', range: dateTime },
      { name: 'organizationId', description: 'The organization the project belongs to.', range: int },
    ],
    collectionPath: '/api/organizations/{organizationId}/projects',
    paths: ['/api/organizations/{organizationId}/projects', '/api/organizations/{organizationId}/projects/{id}'],
  },
  HostnameMapping: {
    description: 'A hostname mapped to one certificate of the organization, with the live state of that certificate.',
    properties: [
      { name: 'hostname', description: 'The hostname (its identifier).', range: str, writable: true, required: true },
      { name: 'certificate', description: 'The IRI of the mapped certificate.', link: true, range: '#Certificate', writable: true, required: true },
      { name: 'certificateId', description: 'The id of the mapped certificate.', range: str },
      { name: 'sslStatus', description: 'covered, not_covered or pending.', range: str },
      { name: 'certificateStatus', description: "The certificate's status, or null when it is gone.", range: str },
      { name: 'certificateType', description: "The certificate's type, or null when it is gone.", range: str },
      { name: 'expiresAt', description: 'When the certificate expires.', range: dateTime },
      { name: 'createdAt', description: 'When the mapping was created.', range: dateTime },
      { name: 'updatedAt', description: 'When the mapping last changed.', range: dateTime },
      { name: 'organizationId', description: 'The organization the mapping belongs to.', range: int },
    ],
    collectionPath: '/api/organizations/{organizationId}/hostname-mappings',
    paths: ['/api/organizations/{organizationId}/hostname-mappings', '/api/organizations/{organizationId}/hostname-mappings/{hostname}'],
  },
  DnsZone: {
    description: 'A DNS zone the organization may certify names under with DNS-01: its own, or an account zone the operator granted.',
    properties: [
      { name: 'zoneName', description: 'The zone (its identifier).', range: str, writable: true, required: true },
      { name: 'provider', description: "The DNS provider that changes the zone's records.", range: str, writable: true },
      { name: 'providerOptions', description: "The provider's options for the zone (never credentials).", json: true, range: 'rdf:JSON', writable: true },
      { name: 'hasCredentials', description: 'Whether credentials are kept for the zone (they are never shown).', range: bool },
      { name: 'grantedBy', description: 'organization, or operator for an account zone.', range: str },
      { name: 'createdAt', description: 'When the zone was registered.', range: dateTime },
      { name: 'organizationId', description: 'The organization the zone belongs to.', range: int },
    ],
    collectionPath: '/api/organizations/{organizationId}/dns-zones',
    paths: ['/api/organizations/{organizationId}/dns-zones', '/api/organizations/{organizationId}/dns-zones/{zoneName}'],
  },
  Error: {
    description: 'An RFC 7807 problem (hydra:Error): every 4xx and 5xx of the platform dialect and identity but 422.',
    properties: [
      { name: 'type', description: 'A URI reference naming the kind of problem (/errors/<status>).', range: str },
      { name: 'title', description: 'A short summary.', range: str },
      { name: 'detail', description: 'What went wrong, for a person.', range: str },
      { name: 'status', description: 'The HTTP status.', range: int },
    ],
  },
  ConstraintViolationList: {
    description: 'A 422 problem: the request was understood, but the listed properties break a rule.',
    properties: [
      { name: 'type', description: 'A URI reference naming the kind of problem (/errors/422).', range: str },
      { name: 'title', description: 'A short summary.', range: str },
      { name: 'detail', description: 'Every violation, one per line.', range: str },
      { name: 'status', description: 'The HTTP status (422).', range: int },
      { name: 'violations', description: 'The broken rules, one per property.', range: '#ConstraintViolation' },
    ],
    embeds: ['ConstraintViolation'],
  },
  ConstraintViolation: {
    description: 'One broken rule, named by the property it concerns.',
    properties: [
      { name: 'propertyPath', description: 'The property, as the request named it.', range: str },
      { name: 'message', description: 'What is wrong with it.', range: str },
    ],
  },
};

/** The Hydra terms collections, views, IRI templates and errors use unprefixed, as API Platform 4 writes them. */
const HYDRA_TERMS = {
  Collection: 'hydra:Collection',
  PartialCollectionView: 'hydra:PartialCollectionView',
  IriTemplate: 'hydra:IriTemplate',
  IriTemplateMapping: 'hydra:IriTemplateMapping',
  BasicRepresentation: 'hydra:BasicRepresentation',
  totalItems: 'hydra:totalItems',
  member: { '@id': 'hydra:member', '@type': '@id' },
  view: { '@id': 'hydra:view', '@type': '@id' },
  first: { '@id': 'hydra:first', '@type': '@id' },
  last: { '@id': 'hydra:last', '@type': '@id' },
  previous: { '@id': 'hydra:previous', '@type': '@id' },
  next: { '@id': 'hydra:next', '@type': '@id' },
  search: 'hydra:search',
  template: 'hydra:template',
  variableRepresentation: { '@id': 'hydra:variableRepresentation', '@type': '@vocab' },
  mapping: 'hydra:mapping',
  variable: 'hydra:variable',
  property: { '@id': 'hydra:property', '@type': '@vocab' },
  required: 'hydra:required',
};

/** `https://host` of the request, as the client reached it (API Gateway sets X-Forwarded-Proto; HTTPS otherwise). */
export function requestOrigin(headers: Readonly<Record<string, string | undefined>>, domainName: string): string {
  const proto = headers['x-forwarded-proto']?.split(',')[0]?.trim() || 'https';
  return `${proto}://${headers.host ?? domainName}`;
}

const vocabulary = (origin: string) => `${origin}${API_DOCUMENTATION_PATH}#`;

/** The `Link` header that tells a Hydra client where the API documentation is. */
export const apiDocumentationLink = (origin: string): string => `<${origin}${API_DOCUMENTATION_PATH}>; rel="${HYDRA}apiDocumentation"`;

function termsOf(shortName: string): Record<string, unknown> {
  const description = PLATFORM_CLASSES[shortName];
  if (!description) return {};
  const own = Object.fromEntries(
    description.properties.map((property) => {
      const id = `${shortName}/${property.name}`;
      if (property.link) return [property.name, { '@id': id, '@type': '@id' }];
      return [property.name, property.json ? { '@id': id, '@type': '@json' } : id];
    }),
  );
  return Object.assign({}, ...(description.embeds ?? []).map(termsOf), own);
}

/** The JSON-LD context of one class, at `/api/contexts/{shortName}`; null for a class the API does not have. */
export function jsonLdContext(shortName: string, origin: string): { '@context': Record<string, unknown> } | null {
  if (!Object.hasOwn(PLATFORM_CLASSES, shortName)) return null;
  return { '@context': { '@vocab': vocabulary(origin), hydra: HYDRA, ...HYDRA_TERMS, ...termsOf(shortName) } };
}

/** The entrypoint: collections are per organization, so it gives their IRI templates rather than links. */
export function entrypoint() {
  const template = (shortName: string) => ({
    '@type': 'IriTemplate',
    template: PLATFORM_CLASSES[shortName]?.collectionPath ?? '',
    variableRepresentation: 'BasicRepresentation',
    mapping: [{ '@type': 'IriTemplateMapping', variable: 'organizationId', property: `${shortName}/organizationId`, required: true }],
  });
  return {
    '@context': contextIri('Entrypoint'),
    '@id': ENTRYPOINT_PATH,
    '@type': 'Entrypoint',
    certificates: template('Certificate'),
    projects: template('Project'),
    hostnameMappings: template('HostnameMapping'),
  };
}

function supportedOperation(route: RouteDefinition, shortName: string, description: ClassDescription) {
  const returns = route.method === 'DELETE' ? 'owl:Nothing' : route.method === 'GET' && route.path === description.collectionPath ? 'hydra:Collection' : `#${shortName}`;
  return {
    '@type': 'hydra:Operation',
    'hydra:method': route.method,
    'hydra:title': `${route.method} ${route.path}`,
    'hydra:description': route.scope === null ? 'Public.' : `Needs the ${route.scope} scope.`,
    returns,
  };
}

/** The Hydra API documentation at `/api/docs.jsonld`: every class with its properties and operations, and the entrypoint. */
export function apiDocumentation(origin: string) {
  return {
    '@context': {
      '@vocab': vocabulary(origin),
      hydra: HYDRA,
      rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
      rdfs: 'http://www.w3.org/2000/01/rdf-schema#',
      xmls: 'http://www.w3.org/2001/XMLSchema#',
      owl: 'http://www.w3.org/2002/07/owl#',
      domain: { '@id': 'rdfs:domain', '@type': '@id' },
      range: { '@id': 'rdfs:range', '@type': '@id' },
      returns: { '@id': 'hydra:returns', '@type': '@id' },
    },
    '@id': API_DOCUMENTATION_PATH,
    '@type': 'hydra:ApiDocumentation',
    'hydra:title': 'certwright',
    'hydra:description':
      'The platform dialect of certwright: TLS certificates, projects and hostname mappings of an organization, ' +
      'as JSON-LD with Hydra collections. Send X-API-TOKEN: <token> or Authorization: Bearer <JWT>.',
    'hydra:entrypoint': { '@id': ENTRYPOINT_PATH },
    'hydra:supportedClass': Object.entries(PLATFORM_CLASSES).map(([shortName, description]) => ({
      '@id': `#${shortName}`,
      '@type': 'hydra:Class',
      'rdfs:label': shortName,
      'hydra:title': shortName,
      'hydra:description': description.description,
      'hydra:supportedProperty': description.properties.map((property) => ({
        '@type': 'hydra:SupportedProperty',
        'hydra:property': {
          '@id': `#${shortName}/${property.name}`,
          '@type': property.link ? 'hydra:Link' : 'rdf:Property',
          'rdfs:label': property.name,
          domain: `#${shortName}`,
          ...(property.range ? { range: property.range } : {}),
        },
        'hydra:title': property.name,
        'hydra:description': property.description,
        'hydra:required': property.required ?? false,
        'hydra:readable': true,
        'hydra:writeable': property.writable ?? false,
      })),
      'hydra:supportedOperation': ROUTES.filter((route) => route.function === 'platform' && (description.paths ?? []).includes(route.path)).map(
        (route) => supportedOperation(route, shortName, description),
      ),
    })),
  };
}
