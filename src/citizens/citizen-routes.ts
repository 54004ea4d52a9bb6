/** Every route of the citizen account at /{tenant}/mon-compte (one call from the server). */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../server/app-context.ts';
import { accountRoutes } from './account-routes.ts';
import { passwordRoutes } from './password-routes.ts';
import { sessionRoutes } from './session-routes.ts';
import { signUpRoutes } from './sign-up-routes.ts';

export function citizenRoutes(app: FastifyInstance, ctx: AppContext): void {
  signUpRoutes(app, ctx);
  sessionRoutes(app, ctx);
  passwordRoutes(app, ctx);
  accountRoutes(app, ctx);
}
