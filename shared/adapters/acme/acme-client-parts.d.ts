// acme-client's own modules, imported one by one: its index also loads node-forge (about 290 KB bundled) for the
// deprecated `forge` API that certwright never calls. Typed from the index's declarations.
declare module 'acme-client/src/client.js' {
  import type { Client } from 'acme-client';
  const client: typeof Client;
  export default client;
}

declare module 'acme-client/src/axios.js' {
  import type { axios } from 'acme-client';
  const instance: typeof axios;
  export default instance;
}

declare module 'acme-client/src/crypto/index.js' {
  import type { crypto } from 'acme-client';
  const module: typeof crypto;
  export default module;
}
