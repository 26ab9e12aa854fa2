// Runs once before all tests: migrates one template database per service.
import 'reflect-metadata';
import { register } from 'tsconfig-paths';
import { compilerOptions } from '../../tsconfig.json';

register({ baseUrl: `${__dirname}/../..`, paths: compilerOptions.paths });

export default async function globalSetup(): Promise<void> {
  const { prepareTemplates } = await import('./databases');
  await prepareTemplates();
}
