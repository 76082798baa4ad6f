// Next.js configuration of the dashboard. The workspace libs (@unbox/protocol) are TypeScript
// sources with `.js` import suffixes, so webpack resolves `.js` to `.ts` too.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** @type {import('next').NextConfig} */
export default {
  reactStrictMode: true,
  poweredByHeader: false,
  // server-sent events must not wait in a compression buffer
  compress: false,
  transpilePackages: ['@unbox/protocol'],
  // the Node build of the socket.io client (with ws), not the browser build webpack would pick
  serverExternalPackages: ['socket.io-client'],
  outputFileTracingRoot: resolve(here, '../..'),
  eslint: { ignoreDuringBuilds: true },
  experimental: { authInterrupts: true },
  // no framing (clickjacking), no MIME sniffing, no referrer leaking patient ids in URLs
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'no-referrer' },
        ],
      },
    ];
  },
  webpack(config) {
    config.resolve.extensionAlias = { '.js': ['.ts', '.tsx', '.js'], '.mjs': ['.mts', '.mjs'] };
    return config;
  },
};
