import { defineConfig } from 'drizzle-kit';

// Generates SQLite migrations from the schema: `npm run db:generate`. Applied by `npm run migrate`.
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/lib/store/sqlite/schema.ts',
  out: './src/lib/store/sqlite/migrations',
});
