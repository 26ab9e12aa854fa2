// Runs once after all tests: this run's databases go.
import { register } from 'tsconfig-paths';
import { compilerOptions } from '../../tsconfig.json';

register({ baseUrl: `${__dirname}/../..`, paths: compilerOptions.paths });

export default async function globalTeardown(): Promise<void> {
  const { dropRunDatabases } = await import('./databases');
  await dropRunDatabases();
}
