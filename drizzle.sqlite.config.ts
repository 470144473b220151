import { defineConfig } from 'drizzle-kit';

// Generates SQLite migrations from the schema: `npm run db:generate`. Applied by `npm run migrate`.
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/core/store/sqlite/schema.ts',
  out: './src/core/store/sqlite/migrations',
});
