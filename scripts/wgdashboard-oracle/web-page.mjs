#!/usr/bin/env node
// Dev tool: drives WGDashboard 4.2.5's own web page (its committed build, served from a scratch
// folder by a tiny static server on another loopback port) with Debian's chromium through
// playwright-core, in "Access Remote Server" mode against a wgfleet API with a WGDashboard key.
// Run inside wgfleet's network namespace by web-page.sh (so the browser reaches the API on loopback).
// Prints every step with worked / FAILED, and for a failed step the browser's console errors, page
// errors, failed requests and the API answers >= 400 seen during it. Not run by CI.
//
//   web-page.mjs --api http://127.0.0.1:8080 --key K --dist <dir holding static/app/dist>
//                --pw <prefix where playwright-core is installed> --screens <dir> [--port 10099]
//                [--profile <empty dir for chromium's profile>] [--out steps.json]
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { tmpdir } from 'node:os';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
for (const need of ['api', 'key', 'dist', 'pw', 'screens']) {
  if (!args[need]) {
    console.error('usage: web-page.mjs --api URL --key KEY --dist DIR --pw PREFIX --screens DIR [--port 10099]');
    process.exit(2);
  }
}
const API = args.api.replace(/\/$/, '');
const PAGE_PORT = Number(args.port ?? 10099);
const PAGE = `http://127.0.0.1:${PAGE_PORT}`;
const { chromium } = createRequire(join(args.pw, 'node_modules', 'x.js'))('playwright-core');

// ---- the tiny static server: index.html at /, the build under /static/app/dist/ (its own paths) ----
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json',
  '.png': 'image/png', '.svg': 'image/svg+xml', '.woff': 'font/woff', '.woff2': 'font/woff2', '.ico': 'image/x-icon', '.webmanifest': 'application/manifest+json' };
const root = normalize(args.dist);
const server = createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url, PAGE).pathname);
  let file = path === '/' || path === '/index.html' ? join(root, 'static/app/dist/index.html') : normalize(join(root, path));
  if (!file.startsWith(join(root, 'static/app/dist/'))) file = ''; // the build only (never the profile beside it)
  try {
    if (!file || !statSync(file).isFile()) throw new Error('not a file');
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  } catch {
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('not found');
  }
});
await new Promise((r) => server.listen(PAGE_PORT, '127.0.0.1', r));

// ---- the browser ----
// A fresh profile: --profile (web-page.sh gives one inside its scratch folder, removed even if this is killed).
const userDataDir = args.profile ?? mkdtempSync(join(tmpdir(), 'wgd-page-chromium-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
  viewport: { width: 1400, height: 1000 },
  acceptDownloads: true,
  timeout: 30000,
});
const page = context.pages()[0] ?? (await context.newPage());
page.setDefaultTimeout(8000);

// What happened during the current step.
let events = [];
page.on('console', (m) => { if (m.type() === 'error' || /^Error:/.test(m.text())) events.push(`console ${m.type()}: ${m.text().slice(0, 300)}`); });
page.on('pageerror', (e) => events.push(`page error: ${String(e.message).slice(0, 300)}`));
page.on('requestfailed', (r) => events.push(`request failed: ${r.method()} ${r.url()} (${r.failure()?.errorText})`));
page.on('response', async (r) => {
  if (r.status() < 400) return;
  let body = '';
  try { body = (await r.text()).slice(0, 200).replace(/\s+/g, ' '); } catch { /* gone */ }
  events.push(`HTTP ${r.status()}: ${r.request().method()} ${r.url()} ${body}`);
});
const apiCalls = [];
page.on('request', (r) => { if (r.url().startsWith(API)) apiCalls.push(`${r.method()} ${r.url().slice(API.length)}`); });

const results = [];
const seenToasts = new Set();
// What the session has reached; a step whose prerequisite was not reached is reported, not tried.
const reached = new Set();
async function step(name, fn, { screenshot, needs, gives } = {}) {
  if (needs && !reached.has(needs)) {
    results.push({ n: results.length + 1, name, ok: false, notReached: needs, error: `not reached (needs: ${needs})`, events: [], calls: [] });
    console.log(`${String(results.length).padStart(2)} FAILED  ${name}\n     - not reached: needs "${needs}", which an earlier step did not reach`);
    return false;
  }
  events = [];
  const callsBefore = apiCalls.length;
  let ok = true;
  let error = '';
  try {
    await fn();
  } catch (e) {
    ok = false;
    // the first line, and the last lines of Playwright's call log (what it waited for, what covered what)
    if (process.env.WEB_PAGE_VERBOSE) console.log(String(e.stack ?? e));
    const lines = String(e.message ?? e).replace(/\x1b\[[0-9;]*m/g, '').split('\n').map((l) => l.trim()).filter(Boolean);
    error = [lines[0], ...lines.slice(1).filter((l) => /^- /.test(l)).slice(-3)].join(' / ').slice(0, 600);
  }
  await page.waitForTimeout(300);
  const toasts = await page.locator('.messageCentre .card, .messageCentre .message').allInnerTexts().catch(() => []);
  // (a toast's text carries its minute, so the same message later is a new one)
  const shot = screenshot ?? (ok ? null : 'failed');
  if (shot) await page.screenshot({ path: join(args.screens, `${String(results.length + 1).padStart(2, '0')}-${ok ? shot : `${screenshot ?? 'step'}-FAILED`}.png`) }).catch(() => undefined);
  // Events about the static page's own origin (before Remote Server mode is on, and after sign-out,
  // the page asks its own origin's /api/…, which a static server does not have) and about the
  // internet (map tiles; the namespace has no link out) are expected here and kept apart.
  const expected = (e) => e.includes(`${PAGE}/api/`) || /https?:\/\/(?!127\.0\.0\.1)[^/ ]+\//.test(e) || /^console log: Error: Error: Not Found/.test(e) || /^console error: Failed to load resource: the server responded with a status of 404/.test(e);
  const relevant = events.filter((e) => !expected(e));
  const newToasts = toasts.map((t) => t.replace(/\s+/g, ' ').trim()).filter((t) => t && !seenToasts.has(t));
  for (const t of newToasts) seenToasts.add(t);
  const r = { n: results.length + 1, name, ok, error, events: relevant, expectedEvents: events.length - relevant.length, calls: apiCalls.slice(callsBefore), hash: new URL(page.url()).hash, toasts: newToasts };
  results.push(r);
  if (ok && gives) reached.add(gives);
  console.log(`${String(r.n).padStart(2)} ${ok ? 'worked' : 'FAILED'}  ${name}${ok ? '' : `\n     - ${error}`}`);
  // Console errors, page errors and failed or >= 400 API requests are listed for every step (a step
  // can work while the page logs an error); the rest only for a failed step or WEB_PAGE_VERBOSE=1.
  for (const e of r.events) console.log(`     - ${e}`);
  if (!ok || process.env.WEB_PAGE_VERBOSE) {
    if (r.toasts.length) console.log(`     - page messages: ${r.toasts.join(' | ').slice(0, 400)}`);
    if (r.expectedEvents) console.log(`     - (${r.expectedEvents} events about the static page's own /api/ or the internet: expected here)`);
    console.log(`     - page at ${r.hash}; API calls: ${r.calls.join(', ').slice(0, 600) || 'none'}`);
  }
  return ok;
}

const expectVisible = (locator, timeout = 8000) => locator.first().waitFor({ state: 'visible', timeout });
const notOnSignIn = async () => { if (new URL(page.url()).hash.startsWith('#/signin')) throw new Error('the page went back to the sign-in page'); };
const peerCard = (name) => page.locator('.card', { has: page.locator('h6', { hasText: name }) }).last();
async function openPeerMenu(name) {
  await page.keyboard.press('Escape').catch(() => undefined);
  const card = peerCard(name);
  await card.locator('.subMenuBtn a[role=button]').first().click();
  await expectVisible(card.locator('.dropdown-menu'));
  return card;
}
async function closeModal() {
  const close = page.locator('.btn-close:visible');
  if (await close.count()) await close.first().click();
  await page.waitForTimeout(300);
}

const PEER = 'web peer';
try {
  await step('open the sign-in page', async () => {
    await page.goto(`${PAGE}/#/signin`, { waitUntil: 'domcontentloaded' });
    await expectVisible(page.getByText('Access Remote Server'), 15000);
  }, { screenshot: 'signin' });

  await step('switch on "Access Remote Server"', async () => {
    await page.locator('label[for=flexSwitchCheckChecked]').click();
    await expectVisible(page.getByText('Server List'));
  });

  await step('add the server (host + API key): its handshake turns green', async () => {
    await page.locator('button', { hasText: 'Server' }).last().click();
    const row = page.locator('.remoteServerContainer').first();
    await row.locator('input[type=url]').fill(API);
    await row.locator('input[type=text]').fill(args.key);
    await row.locator('input[type=text]').blur();
    await expectVisible(page.locator('.dot.active'), 8000);
  }, { screenshot: 'server-list', gives: 'handshake' });

  await step('connect (sign in): the configuration list shows', async () => {
    await page.locator('.remoteServerContainer button.bg-success-subtle').first().click();
    await page.waitForURL((u) => u.hash === '#/' || u.hash === '', { timeout: 8000 });
    await expectVisible(page.getByText('WireGuard Configurations'));
    await page.waitForTimeout(1000);
    await notOnSignIn();
  }, { screenshot: 'configurations-empty', needs: 'handshake', gives: 'signed in' });

  await step('"Configuration" → New Configuration form opens', async () => {
    await page.locator('a[href="#/new_configuration"]').first().click();
    await expectVisible(page.locator('#ConfigurationName'));
    await page.waitForTimeout(1000);
    await notOnSignIn();
  }, { screenshot: 'new-configuration', needs: 'signed in', gives: 'form' });

  await step('create configuration wg0 (Save): the page opens it', async () => {
    await page.locator('#ConfigurationName').fill('wg0');
    const priv = page.locator('#PrivateKey');
    if (!(await priv.inputValue())) await page.locator('button', { has: page.locator('.bi-arrow-repeat') }).first().click();
    await page.locator('#ListenPort').fill('51820');
    await page.locator('#Address').fill('10.66.7.1/24');
    await page.locator('button', { hasText: 'Save' }).last().click();
    await page.waitForURL((u) => u.hash.startsWith('#/configuration/wg0'), { timeout: 10000 });
    await notOnSignIn();
  }, { needs: 'form', gives: 'wg0' });

  await step('open configuration wg0: peer list and status', async () => {
    await expectVisible(page.locator('button', { hasText: 'Configuration Settings' }));
    await expectVisible(page.getByText('10.66.7.1/24'));
    await notOnSignIn();
  }, { screenshot: 'configuration-wg0', needs: 'wg0' });

  await step('add a peer ("Peer" → name → Add)', async () => {
    await page.locator('a.titleBtn', { hasText: 'Peer' }).first().click();
    await expectVisible(page.getByText('Add Peers'));
    await page.locator('#peer_name_textbox').fill(PEER);
    await page.waitForTimeout(800); // the modal fetches the available addresses
    await page.locator('button', { hasText: /^\s*Add\s*$/ }).last().click();
    await expectVisible(page.locator('h6', { hasText: PEER }), 10000);
    await notOnSignIn();
  }, { screenshot: 'peer-added', needs: 'wg0', gives: 'peer' });

  await step('edit the peer (Peer Settings: name, DNS → Save)', async () => {
    await openPeerMenu(PEER);
    await page.getByText('Peer Settings').last().click();
    await expectVisible(page.locator('#peer_name_textbox'));
    await page.locator('#peer_name_textbox').fill(`${PEER} edited`);
    await page.locator('#peer_DNS_textbox').fill('9.9.9.9');
    await page.locator('button', { hasText: 'Save' }).last().click();
    await expectVisible(page.locator('h6', { hasText: `${PEER} edited` }), 10000);
    await closeModal();
    await notOnSignIn();
  }, { screenshot: 'peer-edited', needs: 'peer', gives: 'edited' });

  await step('download the peer\'s .conf', async () => {
    await openPeerMenu(`${PEER} edited`);
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 8000 }),
      page.locator('.dropdown-menu .bi-download').last().click(),
    ]);
    const path = await download.path();
    const text = readFileSync(path, 'utf8');
    if (!text.includes('[Interface]') || !text.includes('[Peer]')) throw new Error(`the download is not a .conf: ${text.slice(0, 80)}`);
  }, { needs: 'edited' });

  await step('QR code of the peer', async () => {
    await openPeerMenu(`${PEER} edited`);
    await page.locator('.dropdown-menu .bi-qr-code').last().click();
    await expectVisible(page.locator('canvas#qrcode'));
    await page.waitForTimeout(500);
  }, { screenshot: 'qr-code', needs: 'edited' });
  await closeModal();

  await step('share the peer (Start Sharing → a link)', async () => {
    await openPeerMenu(`${PEER} edited`);
    await page.locator('.dropdown-menu .bi-share').last().click();
    await expectVisible(page.getByText('Share Peer'));
    await page.locator('button', { hasText: 'Start Sharing' }).click();
    await expectVisible(page.locator('button', { hasText: 'Stop Sharing' }), 8000);
  }, { screenshot: 'share', needs: 'edited' });
  await closeModal();

  await step('restrict the peer (Restrict Access)', async () => {
    await openPeerMenu(`${PEER} edited`);
    await page.getByText('Restrict Access').last().click();
    await expectVisible(page.getByText('Access Restricted'), 10000);
    await notOnSignIn();
  }, { screenshot: 'restricted', needs: 'edited', gives: 'restricted' });

  await step('allow the peer again (Allow Access)', async () => {
    await openPeerMenu(`${PEER} edited`);
    await page.getByText('Allow Access').last().click();
    await page.getByText('Access Restricted').first().waitFor({ state: 'detached', timeout: 10000 });
    await notOnSignIn();
  }, { needs: 'restricted' });

  await step('schedule a job (Schedule Jobs → Job → value → Save)', async () => {
    await openPeerMenu(`${PEER} edited`);
    await page.getByText('Schedule Jobs').last().click();
    await expectVisible(page.locator('button', { hasText: /^\s*Job\s*$/ }));
    await page.locator('button', { hasText: /^\s*Job\s*$/ }).click();
    await page.locator('input.form-control-dark:enabled').first().fill('100');
    await page.getByText('[S] Save').first().click();
    await expectVisible(page.getByText('[E] Edit'), 8000);
    await notOnSignIn();
  }, { screenshot: 'job', needs: 'edited' });
  await closeModal();

  // The switch shows the configuration's state ("On" / "Off"); each click must flip it.
  const switchLabel = async () => (await page.locator('input[role=switch][id^=switch]').first().locator('xpath=..').innerText()).trim();
  for (const [name, gives, needs] of [['toggle the configuration (switch flips)', 'toggled', 'wg0'], ['toggle it back (switch flips again)', undefined, 'toggled']]) {
    await step(name, async () => {
      await page.goto(`${PAGE}/#/configuration/wg0/peers`);
      await expectVisible(page.locator('input[role=switch][id^=switch]'));
      await page.waitForTimeout(1000);
      const before = await switchLabel();
      await page.locator('input[role=switch][id^=switch]').first().click();
      const want = /On/.test(before) ? 'Off' : 'On';
      await page.waitForFunction(([w]) => [...document.querySelectorAll('input[role=switch]')].some((i) => i.id.startsWith('switch') && i.parentElement.innerText.trim() === w), [want], { timeout: 10000 });
      await notOnSignIn();
    }, { screenshot: gives ? 'toggled' : 'toggled-back', needs, gives });
  }

  await step('ping view (configuration → peer → address → Ping)', async () => {
    await page.goto(`${PAGE}/#/ping`);
    await expectVisible(page.locator('select#peer'));
    await page.waitForTimeout(1000); // the view loads ping/getAllPeersIpAddress
    await page.locator('select').first().selectOption({ index: 1 });
    await page.locator('select#peer').selectOption({ index: 1 });
    await page.locator('select#ip').selectOption({ index: 1 });
    await page.locator('button.btn-primary').last().click();
    await expectVisible(page.getByText('Average / Min / Max Round Trip Time'), 15000);
    await notOnSignIn();
  }, { screenshot: 'ping', needs: 'peer' });

  await step('traceroute view (127.0.0.1 → Trace)', async () => {
    await page.goto(`${PAGE}/#/traceroute`);
    await expectVisible(page.locator('h3', { hasText: 'Traceroute' }));
    await page.waitForTimeout(500); // the ping view's #ipAddress must be gone
    await page.locator('#ipAddress').fill('127.0.0.1');
    await page.locator('button.btn-primary').last().click();
    await expectVisible(page.locator('table tbody tr'), 20000);
    await notOnSignIn();
  }, { screenshot: 'traceroute', needs: 'signed in' });

  await step('settings view', async () => {
    await page.goto(`${PAGE}/#/settings`);
    await expectVisible(page.getByText('Peer Default Settings').or(page.getByText('Appearance')), 10000);
    await page.waitForTimeout(1000);
    await notOnSignIn();
  }, { screenshot: 'settings', needs: 'signed in' });

  await step('sign out', async () => {
    await page.goto(`${PAGE}/#/`);
    await expectVisible(page.getByText('Sign Out'));
    await page.getByText('Sign Out').first().click();
    await page.waitForURL((u) => u.hash.startsWith('#/signin'), { timeout: 10000 });
  }, { screenshot: 'signed-out', needs: 'signed in' });
} finally {
  await context.close().catch(() => undefined);
  server.close();
  rmSync(userDataDir, { recursive: true, force: true });
}

const worked = results.filter((r) => r.ok).length;
console.log(`\n${worked} of ${results.length} steps worked`);
if (args.out) writeFileSync(args.out, JSON.stringify(results, null, 2) + '\n');
process.exit(worked === results.length ? 0 : 1);
