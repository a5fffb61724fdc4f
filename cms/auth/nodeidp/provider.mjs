// An independent, certified OpenID provider for Torg's sign-in tests:
// node provider.mjs PORT REDIRECT_URI
// It prints "ready" once it listens on 127.0.0.1:PORT.
import Provider from 'oidc-provider';

const [port, redirect] = [Number(process.argv[2]), process.argv[3]];
const people = {
  sara: { name: 'Sara Lind', email: 'sara@sjobacka.example', groups: ['GRP-Timvikarier'] },
  anna: { name: 'Anna Sjö', email: 'anna@sjobacka.example', groups: ['GRP-Medarbetare', 'GRP-IT-Admin'] },
};

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{
    client_id: 'torg',
    client_secret: 'hemligt-for-test',
    redirect_uris: [redirect],
    post_logout_redirect_uris: [new URL('/', redirect).href],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  scopes: ['openid', 'profile', 'email', 'groups'],
  claims: { openid: ['sub'], profile: ['name'], email: ['email'], groups: ['groups'] },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    const p = people[id] || { name: id, email: `${id}@example.test`, groups: [] };
    return { accountId: id, async claims() { return { sub: id, ...p }; } };
  },
});
provider.proxy = false;
provider.listen(port, '127.0.0.1', () => console.log('ready'));
