// Generates ../dpop-interop.json: an RS256 access token, a JWKS and DPoP proofs made by independent implementations
// (the npm packages `jose` and `dpop`), for the interop tests of Auth0.Api.Aot
// (tests/Auth0.Api.Aot.Tests/Interop/JoseDPoPInteropTests.cs).
//
// Run once and commit the output: cd tests/Fixtures/Interop/generator && npm ci && node generate.mjs
// Keys, jti values and signatures are random on each run; the structure of the output is not.
import { readFileSync, writeFileSync } from 'node:fs';
import { createHash, randomUUID } from 'node:crypto';
import * as jose from 'jose';
import * as dpop from 'dpop';

const ISSUER = 'https://interop.example.com/';
const DOMAIN = 'interop.example.com';
const AUDIENCE = 'https://api.interop.example';
const RESOURCE = 'https://api.interop.example/things';
const KID = 'interop-rs256';
const OUTPUT = new URL('../dpop-interop.json', import.meta.url);

function packageVersion(name) {
  const manifest = JSON.parse(readFileSync(new URL(`./node_modules/${name}/package.json`, import.meta.url), 'utf8'));
  return manifest.version;
}

function sha256Base64Url(text) {
  return jose.base64url.encode(createHash('sha256').update(text, 'utf8').digest());
}

async function publicJwk(publicKey) {
  return jose.exportJWK(publicKey);
}

async function thumbprint(publicKey) {
  return jose.calculateJwkThumbprint(await publicJwk(publicKey), 'sha256');
}

// The `dpop` package signs ES256 (P-256 only), RS256, PS256 and Ed25519. For algorithms it does not offer (ES384,
// ES512 and the polymorphic EdDSA), the proof is built with jose's SignJWT, following RFC 9449 section 4.2 the same way.
async function joseProof(alg, keyPair, htu, htm, nonce, accessToken) {
  const claims = { iat: Math.floor(Date.now() / 1000), jti: randomUUID(), htm, htu };
  if (nonce !== undefined) claims.nonce = nonce;
  if (accessToken !== undefined) claims.ath = sha256Base64Url(accessToken);
  return new jose.SignJWT(claims)
    .setProtectedHeader({ alg, typ: 'dpop+jwt', jwk: await publicJwk(keyPair.publicKey) })
    .sign(keyPair.privateKey);
}

async function build() {
  const notes = [];
  const now = Math.floor(Date.now() / 1000);

  // Issuer key and JWKS (public key only).
  const issuerKeys = await jose.generateKeyPair('RS256', { extractable: true });
  const issuerJwk = { ...(await publicJwk(issuerKeys.publicKey)), kid: KID, alg: 'RS256', use: 'sig' };
  const jwks = JSON.stringify({ keys: [issuerJwk] });

  // The client's ES256 key, to which the access token is bound.
  const clientKeys = await dpop.generateKeyPair('ES256', { extractable: true });
  const clientJkt = await thumbprint(clientKeys.publicKey);
  const dpopJkt = await dpop.calculateThumbprint(clientKeys.publicKey);
  if (dpopJkt !== clientJkt) throw new Error(`jose and dpop disagree on the thumbprint: ${clientJkt} vs ${dpopJkt}`);

  async function accessToken(extra) {
    return new jose.SignJWT({ scope: 'read:things', ...extra })
      .setProtectedHeader({ alg: 'RS256', kid: KID, typ: 'at+jwt' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject('auth0|interop')
      .setIssuedAt(now)
      .setExpirationTime(now + 86400)
      .sign(issuerKeys.privateKey);
  }

  const tokens = {
    accessToken: await accessToken({ cnf: { jkt: clientJkt } }),
    bearerToken: await accessToken({}),
  };

  const proofs = [];
  async function add(name, alg, keyPair, generatedBy, htm, htu, nonce, boundToken) {
    const token = tokens[boundToken];
    const proof = generatedBy === 'dpop'
      ? await dpop.generateProof(keyPair, htu, htm, nonce, token)
      : await joseProof(alg, keyPair, htu, htm, nonce, token);
    proofs.push({
      name,
      alg,
      htm,
      htu,
      jkt: await thumbprint(keyPair.publicKey),
      proof,
      boundToken,
      nonce: nonce ?? null,
      generatedBy,
    });
  }

  await add('es256-get', 'ES256', clientKeys, 'dpop', 'GET', `${RESOURCE}?x=1#frag`, undefined, 'accessToken');
  await add('es256-post-nonce', 'ES256', clientKeys, 'dpop', 'POST', RESOURCE, 'server-nonce-1', 'accessToken');
  await add('es256-other-key', 'ES256', await dpop.generateKeyPair('ES256', { extractable: true }), 'dpop', 'GET', RESOURCE, undefined, 'accessToken');
  await add('es384', 'ES384', await jose.generateKeyPair('ES384', { extractable: true }), 'jose', 'GET', RESOURCE, undefined, 'bearerToken');
  await add('es512', 'ES512', await jose.generateKeyPair('ES512', { extractable: true }), 'jose', 'GET', RESOURCE, undefined, 'bearerToken');
  await add('rs256', 'RS256', await dpop.generateKeyPair('RS256', { extractable: true }), 'dpop', 'GET', RESOURCE, undefined, 'bearerToken');
  await add('ps256', 'PS256', await dpop.generateKeyPair('PS256', { extractable: true }), 'dpop', 'GET', RESOURCE, undefined, 'bearerToken');
  await add('eddsa', 'EdDSA', await jose.generateKeyPair('EdDSA', { extractable: true }), 'jose', 'GET', RESOURCE, undefined, 'bearerToken');
  await add('ed25519', 'Ed25519', await dpop.generateKeyPair('Ed25519', { extractable: true }), 'dpop', 'GET', RESOURCE, undefined, 'bearerToken');

  notes.push(
    'generatedBy "dpop": made with dpop.generateKeyPair and dpop.generateProof (keypair, htu, htm, nonce, accessToken).',
    'generatedBy "jose": the dpop package offers only ES256 (P-256), RS256, PS256 and Ed25519, so the ES384, ES512 and EdDSA proofs are signed with jose SignJWT (header typ dpop+jwt, alg, jwk from jose exportJWK; claims iat, jti, htm, htu, ath) with keys from jose generateKeyPair.',
    'jkt is jose calculateJwkThumbprint(exportJWK(publicKey), "sha256") (RFC 7638); for the client key it was checked to equal dpop.calculateThumbprint.',
    'All iat values equal now; the access tokens expire at now + 86400. Verify on a clock set to now.',
    'es256-other-key is a valid proof for accessToken made with a key other than the one in its cnf.jkt: a DPoP request with it must be refused.',
    'es256-get has a query and a fragment in htu; a verifier compares htu without them (RFC 9449 section 4.3).',
    'ed25519 uses the fully-specified alg "Ed25519" (RFC 9864), which both jose and dpop support; eddsa uses the polymorphic "EdDSA" with an Ed25519 key.',
  );

  return { now, jwks, tokens, proofs, notes };
}

// Self-check with jose: every token verifies with the JWKS, every proof with its embedded key, and every iat is now.
async function check(result) {
  const jwks = jose.createLocalJWKSet(JSON.parse(result.jwks));
  for (const name of ['accessToken', 'bearerToken']) {
    const { payload, protectedHeader } = await jose.jwtVerify(result.tokens[name], jwks, {
      issuer: ISSUER, audience: AUDIENCE, algorithms: ['RS256'], typ: 'at+jwt', currentDate: new Date(result.now * 1000),
    });
    if (payload.iat !== result.now || protectedHeader.kid !== KID) return false;
  }

  for (const p of result.proofs) {
    const { payload, protectedHeader } = await jose.jwtVerify(p.proof, jose.EmbeddedJWK, {
      algorithms: [p.alg], typ: 'dpop+jwt', currentDate: new Date(result.now * 1000),
    });
    if (protectedHeader.alg !== p.alg) throw new Error(`${p.name}: alg is ${protectedHeader.alg}, expected ${p.alg}`);
    if (await jose.calculateJwkThumbprint(protectedHeader.jwk, 'sha256') !== p.jkt) throw new Error(`${p.name}: jkt mismatch`);
    if (payload.ath !== sha256Base64Url(result.tokens[p.boundToken])) throw new Error(`${p.name}: ath mismatch`);
    if (payload.htm !== p.htm || payload.htu !== p.htu || (payload.nonce ?? null) !== p.nonce) throw new Error(`${p.name}: claims mismatch`);
    if (payload.iat !== result.now) return false;
  }

  return true;
}

let result;
for (let attempt = 0; ; attempt++) {
  result = await build();
  if (await check(result)) break;
  // A second boundary fell between taking `now` and signing a proof (dpop takes iat from the clock): try again.
  if (attempt === 4) throw new Error('could not produce proofs whose iat all equal now');
}

const fixture = {
  generator: {
    jose: packageVersion('jose'),
    dpop: packageVersion('dpop'),
    node: process.version,
  },
  issuer: ISSUER,
  domain: DOMAIN,
  audience: AUDIENCE,
  jwks: result.jwks,
  now: result.now,
  accessToken: result.tokens.accessToken,
  bearerToken: result.tokens.bearerToken,
  proofs: result.proofs,
  notes: result.notes,
};

writeFileSync(OUTPUT, JSON.stringify(fixture, null, 2) + '\n');
console.log(`wrote ${OUTPUT.pathname} (now=${result.now}, ${result.proofs.length} proofs)`);
