/**
 * "Mes jetons d'accès" on the agent's account page: the API tokens that
 * still work (created, expires, the end of their public id), each with a
 * button that revokes it at once. Tokens are made with `bastide token create`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isTokenPublicId, listTokens, revokeToken } from '../../accounts/token-list.ts';
import { frenchDateTime } from '../../notice/french-date.ts';
import type { AppContext } from '../../server/app-context.ts';
import { html, type Html } from '../../web/html.ts';
import { agentPage, type AgentRequest } from '../agent-session.ts';

const accountPath = (tenantId: string) => `/${tenantId}/back-office/compte`;
/** What the page names a token by: enough to match `token list`, short enough to read. */
const shortId = (publicId: string) => `…${publicId.slice(-6)}`;

export async function tokensSection(ctx: AppContext, req: AgentRequest): Promise<Html> {
  const tokens = await listTokens(ctx.database.db, req.tenantId, req.actor.agentId, { live: true });
  const base = accountPath(req.tenantId);
  return html`<h2 id="jetons">Mes jetons d’accès à l’API</h2>
${
  tokens.length === 0
    ? html`<p>Aucun jeton en cours de validité.</p>`
    : html`<div class="table-wrap"><table>
<caption>Jetons en cours de validité</caption>
<thead><tr><th scope="col">Jeton</th><th scope="col">Créé le</th><th scope="col">Expire le</th><th scope="col"><span class="visually-hidden">Action</span></th></tr></thead>
<tbody>${tokens.map(
        (t) => html`<tr><td><code>${shortId(t.publicId)}</code></td><td>${frenchDateTime(t.createdAt)}</td><td>${frenchDateTime(t.expiresAt)}</td>
<td><form method="post" action="${base}/jetons/${t.publicId}/revocation"><input type="hidden" name="csrf" value="${req.csrf}"><button type="submit" class="button-secondary">Révoquer<span class="visually-hidden"> le jeton ${shortId(t.publicId)}</span></button></form></td></tr>`,
      )}</tbody>
</table></div>`
}`;
}

export function tokenRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post('/:tenant/back-office/compte/jetons/:id/revocation', async (request: FastifyRequest<{ Params: { tenant: string; id: string } }>, reply) => {
    const req = await agentPage(ctx, request, reply);
    if (!req) return reply;
    // Only the account's own tokens: another's id revokes nothing, and the page simply no longer lists it.
    const id = request.params.id;
    if (isTokenPublicId(id)) await revokeToken(ctx.database.db, req.tenantId, id, req.actor.agentId);
    return reply.redirect(`${accountPath(req.tenantId)}#jetons`, 303);
  });
}
