/** Prints the README's secrets table from scripts/lib/secret-catalog.ts. */
import { SECRET_CATALOG } from './lib/secret-catalog';

const escape = (text: string) => text.replace(/\|/g, '\\|');
const ACTIONS = { send: 'send', signup: 'sign-up', both: 'both', okta: 'Okta hook' } as const;
console.log('| secret | Action | group | meaning | default | example |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const secret of SECRET_CATALOG) {
  console.log(`| \`${secret.name}\` | ${ACTIONS[secret.actions]} | ${secret.group} | ${escape(secret.meaning)} | ${escape(secret.default)} | ${escape(secret.example)} |`);
}
