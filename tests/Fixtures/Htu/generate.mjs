// Generates htu-corpus.json: what a WHATWG URL parser (Node.js's built-in URL) makes of each input below, for the DPoP
// htu tests of Auth0.Api.Aot (tests/Auth0.Api.Aot.Tests/Parsing/HtuNormalizerTests.cs). Built-ins only: no npm install.
//
// Run once and commit the output: cd tests/Fixtures/Htu && node generate.mjs
// The .NET tests read only the committed JSON; they never run Node.js.
//
// For every input, three values (null where `new URL(input)` throws):
//   whatwg     - origin + pathname, exactly as Node.js returns them;
//   normalized - the same with the hex digits of every %XX upper-cased (what HtuNormalizer.TryNormalize returns, as the
//                reference SDK's normalize_url_for_htu does);
//   comparable - normalized, then RFC 3986 section 6.2.2.2 on the path, read as a sequence of escapes ("%" and two hex
//                digits) and characters: %XX of an unreserved character (ALPHA / DIGIT / "-" / "." / "_" / "~")
//                decoded, other escapes kept, and a raw "^" written %5E (the current URL Standard path percent-encode
//                set has "^"; the parser in Node.js 20 predates it). A "%" that starts no escape is a character of its
//                own (not %25): it is written "%", and where the next two characters would be hex digits the first is
//                written as its escape, so that it starts no escape when read again ("/a%2%46" is "/a%%32F", not
//                "/a%2F"). Two URLs match as htu when their comparable values are equal.
import { writeFileSync } from 'node:fs';

const OUTPUT = new URL('./htu-corpus.json', import.meta.url);

const rows = [
  // The reference table (auth0-api-python normalize_url_for_htu) and the rules System.Uri gets wrong.
  'https://API.EXAMPLE.COM/resource',
  'HTTPS://api.example.com/R',
  'https://api.example.com:443/resource',
  'http://api.example.com:80/r',
  'https://api.example.com:8443/r',
  'https://api.example.com',
  'https://api.example.com/resource/?abc=def#f',
  'https://api.example.com/resource/',
  'https://api.example.com/resource',
  'https://user:pw@api.example.com/r?x#y',
  'https://u@p@api.example.com/r',
  'https://api.example.com/a/../b/./c',
  'https://api.example.com/a b',
  'https://bücher.example/x',
  'https://BÜCHER.example/x',
  'https://xn--bcher-kva.example/x',
  'https://XN--BCHER-KVA.example/x',
  'https://xn--a.example/x',
  'https://api.example.com./r',
  'https://api.example.com/r',
  'foo://api.example.com/r',
  'foo://api.example.com',
  'foo://api.example.com/a/../%7e',
  'foo://exa mple/r',
  'foo://h:99999/r',
  'foo://user@/r',
  'https:\\\\api.example.com\\a\\b',
  'https:///api.example.com/x',
  'https:/\\/api.example.com/x',
  'https:api.example.com/x',
  '  https://api.example.com/x  ',
  'https://api.exa\tmple.com/x\n',
  'https://api.example.com:0443/r',
  'https://api.example.com:/r',
  'https://api.example.com:000000000000000443/r',
  'http://api.example.com:443/r',
  'ws://api.example.com:80/socket',
  'wss://Example.COM:443/socket',
  'ftp://api.example.com:21/f',
  'https://api.example.com:65535/r',
  'https://api.example.com:65536/r',
  'https://api.example.com:99999/r',
  'https://api.example.com:8a/r',
  'https://exa mple.com/r',
  'https://a%zz/r',
  'https://ex%61mple.com/r',
  'https://a..example/r',
  'https://-a.example/r',
  'https://a_b.example/r',
  'https://' + 'a'.repeat(63) + '.example.com/p',
  'https://' + 'a'.repeat(64) + '.example.com/p',
  'https://user@/r',
  'https://:443/r',
  'https://',
  '/relative',
  '',
  '1http://x/',

  // Paths: dot segments (also percent-encoded), empty path, trailing slash, encode set.
  'https://api.example.com/a/%2e%2E/b',
  'https://api.example.com/a/.%2e',
  'https://api.example.com/a/..',
  'https://api.example.com/a/.',
  'https://api.example.com/..',
  'https://api.example.com/a/...',
  'https://api.example.com/..a',
  'https://api.example.com/a//b',
  'https://api.example.com/é',
  'https://api.example.com/€',
  'https://api.example.com/%E2%82%AC',
  'https://api.example.com/a%7b{',
  'https://api.example.com/a"<>`b',
  "https://api.example.com/a'b",
  'https://api.example.com/a^b',
  'https://api.example.com/a%5Eb',
  'https://api.example.com/a|b[c]',
  'https://api.example.com/a:b@c;d=e,f',

  // RFC 3986 6.2.2.2: percent-encoded unreserved characters are the characters; other escapes only change case.
  'https://api.example.com/%7E',
  'https://api.example.com/%7e',
  'https://api.example.com/~',
  'https://api.example.com/p%2fq%7e',
  'https://api.example.com/p%2Fq~',
  'https://api.example.com/p/q~',
  'https://api.example.com/%41%42c%2D%2e%5F%30%39',
  'https://api.example.com/ABc-._09',
  'https://api.example.com/a%2Fb',
  'https://api.example.com/a%2fb',
  'https://api.example.com/a/b',
  'https://api.example.com/a%20b',
  'https://api.example.com/a%3Ab%3a',
  'https://api.example.com/a:b:',
  'https://api.example.com/p%25',
  'https://api.example.com/p%257E',
  'https://api.example.com/%',
  'https://api.example.com/%zz%4',
  'https://api.example.com/%%7e',
  'https://api.example.com/%c3%a9',
  // ... a "%" that starts no escape is a character of its own: never part of an escape decoded after it, never %25.
  'https://api.example.com/a%2%46',
  'https://api.example.com/a%%32F',
  'https://api.example.com/a%%32%46',
  'https://api.example.com/a%2F',
  'https://api.example.com/a%5%66',
  'https://api.example.com/a%5f',
  'https://api.example.com/a_',
  'https://api.example.com/%%41%42',
  'https://api.example.com/a%',
  'https://api.example.com/a%25',
  'https://api.example.com/%2e',
  'https://api.example.com/a%2e',
  'https://api.example.com/a.',
  'https://api.example.com/%7E?q=%7E#%7E',

  // WHATWG IPv4 host parsing: 1 to 4 parts, decimal, octal and hex, the last part filling the remaining bytes.
  'https://127.0.0.1/r',
  'https://127.1/r',
  'https://127.0.1/r',
  'https://0x7f.1/r',
  'https://0X7F.0x.0.1/r',
  'https://2130706433/r',
  'https://0177.0.0.1/r',
  'https://0x7f000001/r',
  'https://017700000001/r',
  'https://127.1./r',
  'https://127.0.0.1:443/r',
  'https://127.1:8443/r',
  'https://%31%32%37.1/r',
  'https://１２７.0.0.1/r',
  'https://0/r',
  'https://0x/r',
  'https://1.256/r',
  'https://1.0xffffff/r',
  'https://1.1.0xffff/r',
  'https://255.255.65535/r',
  'https://4294967295/r',
  'https://037777777777/r',
  'https://00000000000000000000000000000000000127.1/r',
  'https://0x00000000000000000000000000007f.1/r',
  'https://1.2.3.4/r',
  'https://1.2.3.4./r',
  // ... refused: a number out of range, a bad digit, too many or empty parts, a non-number before a number.
  'https://256.0.0.1/r',
  'https://1.1.1.0x100/r',
  'https://0.0.0.0x100/r',
  'https://255.255.65536/r',
  'https://4294967296/r',
  'https://040000000000/r',
  'https://0x100000000/r',
  'https://0xffffffffff/r',
  'https://99999999999999999999999999.1/r',
  'https://09/r',
  'https://08.1/r',
  'https://1.2.3.09/r',
  'https://1.2.3.4.5/r',
  'https://1..2/r',
  'https://.1/r',
  'https://a.1/r',
  'https://a.0x/r',
  'https://a.b.c.0x7f/r',
  // ... and hosts that only look like numbers.
  'https://0xg/r',
  'https://a.0x1g/r',
  'https://1a.example/r',
  'https://1.2.3.4../r',

  // IPv6 literals: parsed and serialised (compressed, lower case, embedded IPv4 in hex).
  'https://[::1]/r',
  'https://[::1]:443/r',
  'https://[::1]:/r',
  'https://[0:0:0:0:0:0:0:1]/r',
  'https://[::]/r',
  'https://[0:0::0:0:0:0:0]/r',
  'https://[ABCD::EF]/r',
  'https://[1:0:0:1:0:0:0:1]/r',
  'https://[1:0:0:2::3:0]/r',
  'https://[1:2::3:4:5:6:7]/r',
  'https://[1:2:3:4:5:6:7::]/r',
  'https://[0001:2:3:4:5:6:7:8]/r',
  'https://[::ffff:1.2.3.4]/r',
  'https://[::1.2.3.4]/r',
  'https://[1:2:3:4:5:6:1.2.3.4]/r',
  'https://[::0.2.3.4]/r',
  'https://[::1/r',
  'https://[::1]x/r',
  'https://[::1%25eth0]/r',
  'https://[1:2:3:4:5:6:7:8:9]/r',
  'https://[1:2:3:4:5:6:7:8::]/r',
  'https://[::1::]/r',
  'https://[:1]/r',
  'https://[1:]/r',
  'https://[00001::]/r',
  'https://[g::]/r',
  'https://[1.2.3.4]/r',
  'https://[1:2:3:4:5:6:7:1.2.3.4]/r',
  'https://[::1.2.3]/r',
  'https://[::01.2.3.4]/r',
  'https://[1::1.2.3.256]/r',
  'https://%5B::1%5D/r',
];

// Pairs that must (or must not) match as htu, from the comparable values above.
const pairs = [
  ['https://api.example.com/%7E', 'https://api.example.com/~'],
  ['https://api.example.com/%7e', 'https://api.example.com/~'],
  ['https://api.example.com/p%2fq%7e', 'https://api.example.com/p%2Fq~'],
  ['https://api.example.com/p%2fq%7e', 'https://api.example.com/p/q~'],
  ['https://api.example.com/%41%42c%2D%2e%5F%30%39', 'https://api.example.com/ABc-._09'],
  ['https://api.example.com/a%2Fb', 'https://api.example.com/a%2fb'],
  ['https://api.example.com/a%2Fb', 'https://api.example.com/a/b'],
  ['https://api.example.com/a%3Ab%3a', 'https://api.example.com/a:b:'],
  ['https://api.example.com/p%257E', 'https://api.example.com/p%7E'],
  ['https://api.example.com/a%2e', 'https://api.example.com/a.'],
  ['https://api.example.com/a^b', 'https://api.example.com/a%5Eb'],
  ['https://api.example.com/%7E?q=%7E#%7E', 'https://api.example.com/~'],
  ['https://api.example.com/a%2%46', 'https://api.example.com/a%2F'],
  ['https://api.example.com/a%2%46', 'https://api.example.com/a%%32F'],
  ['https://api.example.com/a%5%66', 'https://api.example.com/a%5f'],
  ['https://api.example.com/a%5%66', 'https://api.example.com/a_'],
  ['https://api.example.com/%%7e', 'https://api.example.com/%~'],
  ['https://api.example.com/a%', 'https://api.example.com/a%25'],
  ['https://127.1/r', 'https://127.0.0.1/r'],
  ['https://0x7f.1/r', 'https://127.0.0.1/r'],
  ['https://2130706433/r', 'https://127.0.0.1/r'],
  ['https://0177.0.0.1/r', 'https://127.0.0.1/r'],
  ['https://127.1:8443/r', 'https://127.0.0.1:8443/r'],
  ['https://127.1/r', 'https://127.0.0.2/r'],
  ['https://[0:0:0:0:0:0:0:1]/r', 'https://[::1]:443/r'],
  ['https://API.EXAMPLE.COM:443/resource', 'https://api.example.com/resource'],
  ['https://api.example.com/resource/', 'https://api.example.com/resource'],
];

function parse(input) {
  try {
    const url = new URL(input);
    return { origin: url.origin, pathname: url.pathname };
  } catch {
    return null;
  }
}

const upperCaseEscapes = (value) => value.replace(/%([0-9A-Fa-f]{2})/g, (escape) => escape.toUpperCase());

const HEX_DIGIT = /^[0-9A-Fa-f]$/;
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

// A path as units, read left to right: { escape: '%XX' } (hex upper-cased) for an escape of anything but an unreserved
// character, and for a raw '^'; { char } for an unreserved character, raw or escaped, and any other character;
// { stray: true } for a '%' that starts no escape. Each '%' is judged by the input text, never by decoded characters.
function pathUnits(path) {
  const units = [];
  for (let i = 0; i < path.length; i++) {
    const c = path[i];
    if (c === '%' && HEX_DIGIT.test(path.charAt(i + 1)) && HEX_DIGIT.test(path.charAt(i + 2))) {
      const decoded = String.fromCharCode(parseInt(path.slice(i + 1, i + 3), 16));
      units.push(UNRESERVED.test(decoded) ? { char: decoded } : { escape: path.slice(i, i + 3).toUpperCase() });
      i += 2;
    } else if (c === '%') {
      units.push({ stray: true });
    } else if (c === '^') {
      units.push({ escape: '%5E' });
    } else {
      units.push({ char: c });
    }
  }

  return units;
}

const isHexDigit = (unit) => unit !== undefined && unit.char !== undefined && HEX_DIGIT.test(unit.char);

// The units written back: a stray '%' as '%', except that a hex digit right after it that another hex digit follows is
// written as its escape, so that the '%' starts no escape when the text is read again.
function writeUnits(units) {
  let text = '';
  for (let i = 0; i < units.length; i++) {
    const unit = units[i];
    if (unit.stray) {
      text += '%';
      if (isHexDigit(units[i + 1]) && isHexDigit(units[i + 2])) {
        text += '%' + units[i + 1].char.charCodeAt(0).toString(16).toUpperCase();
        i++;
      }
    } else {
      text += unit.escape ?? unit.char;
    }
  }

  return text;
}

const comparable = (origin, normalizedPath) => origin + writeUnits(pathUnits(normalizedPath));

function entry(input) {
  const parsed = parse(input);
  if (parsed === null) {
    return { input, whatwg: null, normalized: null, comparable: null };
  }

  const path = upperCaseEscapes(parsed.pathname);
  const result = { input, whatwg: parsed.origin + parsed.pathname, normalized: parsed.origin + path, comparable: comparable(parsed.origin, path) };
  if (comparable(parsed.origin, writeUnits(pathUnits(path))) !== result.comparable) {
    throw new Error(`comparable value of ${JSON.stringify(input)} is not its own comparable value`);
  }

  return result;
}

const seen = new Set();
for (const input of rows) {
  if (seen.has(input)) throw new Error(`duplicate row ${JSON.stringify(input)}`);
  seen.add(input);
}

const output = {
  generator: { node: process.versions.node, ada: process.versions.ada ?? null },
  rows: rows.map(entry),
  pairs: pairs.map(([a, b]) => {
    const left = entry(a).comparable;
    const right = entry(b).comparable;
    return { a, b, match: left !== null && left === right };
  }),
};

writeFileSync(OUTPUT, JSON.stringify(output, null, 2) + '\n');
console.log(`wrote ${output.rows.length} rows and ${output.pairs.length} pairs with Node.js ${process.versions.node}`);
