import 'reflect-metadata';
// Prints a Bearer token for local use:  npm run token -- <buyer|seller|ops> [storeId] [subject]
// Signed with JWT_SECRET from the environment (the development secret when unset, as the services do).
import { DEV_JWT_SECRET, Role, ROLES, TokenService } from '@cc/platform';

const [role, storeId, subject] = process.argv.slice(2);
if (!ROLES.includes(role as Role) || (role === 'seller' && !storeId)) {
  process.stderr.write('usage: npm run token -- <buyer|seller|ops> [storeId (sellers)] [subject]\n');
  process.exit(2);
}
const secret = process.env.JWT_SECRET ?? DEV_JWT_SECRET;
const sub = subject ?? (role === 'seller' ? `seller-of-${storeId}` : `${role}-local`);
process.stdout.write(
  `${new TokenService(secret).sign({ role: role as Role, sub, ...(role === 'seller' ? { storeId } : {}) }, '30d')}\n`,
);
