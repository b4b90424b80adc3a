/** The environment variable naming the folder where test processes record AWS calls (see aws-calls.ts). */
export const AWS_CALLS_DIR = 'CERTWRIGHT_AWS_CALLS_DIR';
