// `admin grant <username>` / `admin revoke <username>`: the admin role (it opens /admin/runs). Granted
// from the command line only, by whoever can reach the database: no web route hands it out.
import { UserFacingError } from '../../src/core/errors.ts';
import { createStore } from '../../src/core/store/create-store.ts';
import { UsageError, type CommandRunner } from './command.ts';

export const adminCommand: CommandRunner = {
  async run({ config, positionals, out }) {
    const [action, name, ...extra] = positionals;
    if ((action !== 'grant' && action !== 'revoke') || !name || extra.length > 0) {
      throw new UsageError('expected: admin grant <username> or admin revoke <username>');
    }
    // Usernames are stored in lower case (registration folds them).
    const username = name.trim().toLowerCase();
    const store = await createStore(config.database);
    try {
      await store.assertMigrated();
      const user = await store.users.findByUsername(username);
      if (!user) {
        throw new UserFacingError(`no user named "${username}"`, { hint: 'the user must register (or sign in with Google) first; usernames are shown on /me' });
      }
      const role = action === 'grant' ? 'admin' : 'user';
      if (user.role === role) {
        out(`${username} ${role === 'admin' ? 'is already an admin' : 'is not an admin'}: nothing changed`);
        return 0;
      }
      await store.users.update(user.id, { role });
      out(role === 'admin' ? `${username} is now an admin (/admin/runs)` : `${username} is no longer an admin`);
      return 0;
    } finally {
      await store.close();
    }
  },
};
