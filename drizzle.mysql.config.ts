import { defineConfig } from 'drizzle-kit';

// Generates MySQL/MariaDB migrations from the schema: `npm run db:generate`. Applied by `npm run migrate`.
export default defineConfig({
  dialect: 'mysql',
  schema: './src/core/store/mysql/schema.ts',
  out: './src/core/store/mysql/migrations',
});
