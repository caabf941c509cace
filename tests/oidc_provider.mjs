// A real OpenID provider for the tests: npm oidc-provider (a certified implementation) on a
// loopback port, with one confidential client for herald, its own RSA signing key, and
// accounts whose role claim the test sets. `tamper` makes the token endpoint hand out an ID
// token re-signed with the provider's own key but with a wrong audience ('audience') or
// already expired ('expired'), or with a broken signature ('signature'): the cases a relying
// party must refuse, which a correct provider never produces by itself.
import Provider from 'oidc-provider';
import { generateKeyPairSync, sign } from 'node:crypto';

const b64url = (buf) => Buffer.from(buf).toString('base64url');

// Starts the provider at http://127.0.0.1:PORT with a client CLIENT_ID/SECRET that may return
// to REDIRECT_URI. Resolves to { issuer, roles (login name -> role claim), setTamper(mode),
// close() }.
export async function startProvider({ port, clientId, clientSecret, redirectUri }) {
  const issuer = `http://127.0.0.1:${port}`;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key', use: 'sig', alg: 'RS256' };
  const roles = new Map();
  let tamper = 'none';

  const provider = new Provider(issuer, {
    clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: [redirectUri],
                grant_types: ['authorization_code'], response_types: ['code'],
                token_endpoint_auth_method: 'client_secret_basic' }],
    jwks: { keys: [jwk] },
    claims: { openid: ['sub'], profile: ['preferred_username', 'role'] },
    conformIdTokenClaims: false,       // the profile claims go into the ID token itself
    pkce: { methods: ['S256'], required: () => true },
    features: { devInteractions: { enabled: true } },
    async findAccount(ctx, id) {
      return {
        accountId: id,
        async claims() {
          const c = { sub: id, preferred_username: id };
          if (roles.has(id)) c.role = roles.get(id);
          return c;
        },
      };
    },
  });

  // Re-signs the token endpoint's ID token after changing its claims, per `tamper`.
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path !== '/token' || ctx.status !== 200 || tamper === 'none' || !ctx.body?.id_token) return;
    const [h, p, s] = ctx.body.id_token.split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url'));
    const now = Math.floor(Date.now() / 1000);
    if (tamper === 'audience') claims.aud = 'someone-else';
    if (tamper === 'expired') { claims.iat = now - 7200; claims.exp = now - 3600; }
    const body = `${h}.${b64url(JSON.stringify(claims))}`;
    const sig = tamper === 'signature' ? b64url(Buffer.from(s, 'base64url').reverse())
      : b64url(sign('sha256', Buffer.from(body), privateKey));
    ctx.body = { ...ctx.body, id_token: `${body}.${sig}` };
  });

  const server = await new Promise((resolve) => { const s = provider.listen(port, '127.0.0.1', () => resolve(s)); });
  return {
    issuer, roles,
    setTamper: (mode) => { tamper = mode; },
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }),
  };
}
