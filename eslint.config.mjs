// Lint exists here mainly to keep the design's arrows true (ARCHITECTURE.md, "Rules of the house"):
// apps -> libs, never back; libs/fl and libs/secagg free of tfjs, sockets and databases.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const impure = ['@tensorflow/*', 'socket.io', 'socket.io-client', 'better-sqlite3', 'pg', 'kysely', '@nestjs/*', 'next', 'react'];

export default [
  { ignores: ['**/node_modules/**', '**/dist/**', '**/.next/**', '**/*.mts'] },
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parser: tseslint.parser },
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'scope:app', onlyDependOnLibsWithTags: ['scope:lib'] },
            { sourceTag: 'scope:lib', onlyDependOnLibsWithTags: ['scope:lib'] },
            { sourceTag: 'scope:tools', onlyDependOnLibsWithTags: ['scope:lib', 'scope:app'] },
            { sourceTag: 'type:pure', onlyDependOnLibsWithTags: ['type:pure'], bannedExternalImports: impure },
            { sourceTag: 'type:io', onlyDependOnLibsWithTags: ['type:pure', 'type:io'] },
          ],
        },
      ],
    },
  },
];
