/**
 * Stands in for `form-data` in the Lambda bundles (LAMBDA_ALIASES in bundle-lambda.ts). axios, inside acme-client, imports it for
 * multipart bodies; every ACME request is JSON (JWS), so its 140 KB (mostly the mime-db table) would only be parsed.
 */
export default class FormData {}
